// Image patches around an action: a window of the before image and of the change (after − before),
// resampled to S×S cells. Each cell averages a grid of up to SAMPLES×SAMPLES nearest pixels, so a
// 1 px gridline or bar edge still shows in a cell of a few pixels, and the cost per patch is bounded
// (≤ S²·SAMPLES² reads per image) whatever the window's size.
import type { RasterImage } from "@sketchvl/drawing";

/** Channels of a patch: before ink R, G, B (1 − v/255), change (max |after − before| / 255), inside-image. */
export const PATCH_CHANNELS = 5;
/** Samples per cell along each axis, at most. */
const MAX_SAMPLES = 4;
export const SAMPLES = MAX_SAMPLES;

/** A window in pixel coordinates: centre and half extents. */
export interface Window {
  cx: number;
  cy: number;
  hx: number;
  hy: number;
}

// Scratch, grown on demand (prepareBatch runs on one thread at a time per isolate).
let xIdx = new Int32Array(0);
let yIdx = new Int32Array(0);
let xCount = new Int32Array(0);
let yCount = new Int32Array(0);
let acc = new Float64Array(0);

function ensureScratch(S: number): void {
  if (xIdx.length < S * MAX_SAMPLES) {
    xIdx = new Int32Array(S * MAX_SAMPLES);
    yIdx = new Int32Array(S * MAX_SAMPLES);
    xCount = new Int32Array(S);
    yCount = new Int32Array(S);
  }
  if (acc.length < S * PATCH_CHANNELS) acc = new Float64Array(S * PATCH_CHANNELS);
}

/**
 * Sample positions of the S cells of [c − half, c + half) along one axis of length `size`:
 * idx[cell·MAX_SAMPLES + k] = pixel index or −1 outside the image; count[cell] = samples used.
 */
function axisSamples(c: number, half: number, S: number, size: number, idx: Int32Array, count: Int32Array): void {
  const start = c - half;
  const cell = (2 * half) / S;
  const n = Math.min(MAX_SAMPLES, Math.max(1, Math.ceil(cell - 1e-6)));
  for (let i = 0; i < S; i++) {
    count[i] = n;
    for (let k = 0; k < n; k++) {
      const p = Math.floor(start + (i + (k + 0.5) / n) * cell);
      idx[i * MAX_SAMPLES + k] = p >= 0 && p < size ? p : -1;
    }
  }
}

/**
 * Writes the patch of window `win` (S×S cells, PATCH_CHANNELS channels, channel-major) to
 * out[offset ..]. `after` is used for the change channel only when it has the before image's size
 * (a crop's after image does not: its change channel is 0).
 */
export function samplePatch(before: RasterImage, after: RasterImage | null, win: Window, S: number, out: Float32Array, offset: number): void {
  ensureScratch(S);
  // Module scratch into locals: V8 keeps them in registers in the loops below.
  const xi = xIdx;
  const yi = yIdx;
  const xc = xCount;
  const yc = yCount;
  const sum = acc;
  const W = before.width;
  const H = before.height;
  const half = (v: number): number => (Number.isFinite(v) && v > 0.5 ? v : 0.5);
  axisSamples(win.cx, half(win.hx), S, W, xi, xc);
  axisSamples(win.cy, half(win.hy), S, H, yi, yc);
  const bp = before.pixels;
  const bc = before.channels;
  const useAfter = after !== null && after.width === W && after.height === H;
  const ap = useAfter ? after.pixels : bp;
  const ac = useAfter ? after.channels : bc;
  const plane = S * S;
  const C = PATCH_CHANNELS;
  for (let i = 0; i < S; i++) {
    sum.fill(0, 0, S * C);
    const ny = yc[i];
    for (let sy = 0; sy < ny; sy++) {
      const y = yi[i * MAX_SAMPLES + sy];
      if (y < 0) continue;
      const brow = y * W;
      for (let j = 0; j < S; j++) {
        const nx = xc[j];
        const base = j * MAX_SAMPLES;
        let r = 0;
        let g = 0;
        let b = 0;
        let d = 0;
        let inside = 0;
        for (let sx = 0; sx < nx; sx++) {
          const x = xi[base + sx];
          if (x < 0) continue;
          const p = brow + x;
          const bo = p * bc;
          const r0 = bp[bo];
          const g0 = bp[bo + 1];
          const b0 = bp[bo + 2];
          r += r0;
          g += g0;
          b += b0;
          inside++;
          if (useAfter) {
            const ao = p * ac;
            let dd = ap[ao] - r0;
            if (dd < 0) dd = -dd;
            let dg = ap[ao + 1] - g0;
            if (dg < 0) dg = -dg;
            let db = ap[ao + 2] - b0;
            if (db < 0) db = -db;
            if (dg > dd) dd = dg;
            if (db > dd) dd = db;
            d += dd;
          }
        }
        const a = j * C;
        sum[a] += r;
        sum[a + 1] += g;
        sum[a + 2] += b;
        sum[a + 3] += d;
        sum[a + 4] += inside;
      }
    }
    const row = offset + i * S;
    for (let j = 0; j < S; j++) {
      const a = j * C;
      const n = ny * xc[j];
      const inside = sum[a + 4];
      // Ink: pixels outside the image count as white (0); the inside channel tells them apart.
      out[row + j] = (inside - sum[a] / 255) / n;
      out[row + plane + j] = (inside - sum[a + 1] / 255) / n;
      out[row + 2 * plane + j] = (inside - sum[a + 2] / 255) / n;
      out[row + 3 * plane + j] = sum[a + 3] / 255 / n;
      out[row + 4 * plane + j] = inside / n;
    }
  }
}
