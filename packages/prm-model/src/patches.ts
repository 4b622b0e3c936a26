// Image patches around an action: a window of the before image and of the change (after − before),
// resampled to S×S cells. Each cell averages a grid of up to SAMPLES×SAMPLES nearest pixels, so a
// 1 px gridline or bar edge still shows in a cell of a few pixels, and the cost per patch is bounded
// (≤ S²·SAMPLES² reads per image) whatever the window's size.
//
// Images may come layered (@sketchvl/drawing's PatchedImage: a root image plus regions written over
// it, how after-images reach the PRM): they are sampled through their layers, never materialized,
// and the change is computed only where the after-image has layers the before-image lacks. The
// result is the same, bit for bit, as sampling the materialized pixels (patches.test.ts).
import { PatchedImage, type RasterImage } from "@sketchvl/drawing";

/** Channels of a patch: before ink R, G, B (1 − v/255), change (max |after − before| / 255), inside-image. */
export const PATCH_CHANNELS = 5;
/** Samples per cell along each axis, at most. */
const MAX_SAMPLES = 4;

/** A window in pixel coordinates: centre and half extents. */
export interface Window {
  cx: number;
  cy: number;
  hx: number;
  hy: number;
}

/** Pixels over [x0, x1) × [y0, y1) of an image, `ch` channels, rows of `stride` bytes. */
interface Layer {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  pixels: Uint8Array;
  ch: number;
  stride: number;
}

/** A step's two images as layers: before = root + `before` layers; after = before + `change` layers. */
export interface StepPixels {
  width: number;
  height: number;
  root: RasterImage;
  before: readonly Layer[];
  /** Where the after-image may differ from the before-image (empty: no change channel). */
  change: readonly Layer[];
}

const layer = (x0: number, y0: number, width: number, height: number, pixels: Uint8Array, ch: number): Layer => ({
  x0,
  y0,
  x1: x0 + width,
  y1: y0 + height,
  pixels,
  ch,
  stride: width * ch,
});

function layersOf(img: RasterImage): { root: RasterImage; regions: PatchedImage["regions"] } {
  return img instanceof PatchedImage ? { root: img.root, regions: img.regions } : { root: img, regions: [] };
}

/**
 * The layers of (before, after). `after` is used for the change only when it has the before
 * image's size (a crop's after image does not: its change channel is 0).
 */
export function stepPixels(before: RasterImage, after: RasterImage | null): StepPixels {
  const b = layersOf(before);
  const ch = b.root.channels;
  const toLayers = (regions: PatchedImage["regions"]) => regions.map((r) => layer(r.left, r.top, r.width, r.height, r.pixels, ch));
  const base = { width: before.width, height: before.height, root: b.root, before: toLayers(b.regions) };
  if (!after || after === before || after.width !== before.width || after.height !== before.height) {
    return { ...base, change: [] };
  }
  const a = layersOf(after);
  // The usual case: after = before + its mark (same root, before's regions first).
  if (a.root === b.root && a.regions.length >= b.regions.length && b.regions.every((r, i) => a.regions[i] === r)) {
    return { ...base, change: toLayers(a.regions.slice(b.regions.length)) };
  }
  return { ...base, change: [layer(0, 0, after.width, after.height, after.pixels, after.channels)] };
}

// Scratch, grown on demand (prepareBatch runs on one thread at a time per isolate).
let xIdx = new Int32Array(0);
let yIdx = new Int32Array(0);
let xCount = new Int32Array(0);
let yCount = new Int32Array(0);
let acc = new Float64Array(0);
const rowBefore: Layer[] = [];
const rowChange: Layer[] = [];

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

/** The layers of `all` that cover row y and some of the columns [xMin, xMax], into `out`. */
function layersOnRow(all: readonly Layer[], y: number, xMin: number, xMax: number, out: Layer[]): void {
  out.length = 0;
  for (const l of all) if (y >= l.y0 && y < l.y1 && l.x1 > xMin && l.x0 <= xMax) out.push(l);
}

/** The change at one pixel: max over R, G, B of |after − before| (small enough for V8 to inline). */
function change(after: Uint8Array, o: number, r0: number, g0: number, b0: number): number {
  let d = after[o] - r0;
  if (d < 0) d = -d;
  let dg = after[o + 1] - g0;
  if (dg < 0) dg = -dg;
  let db = after[o + 2] - b0;
  if (db < 0) db = -db;
  if (dg > d) d = dg;
  return Math.max(db, d);
}

/** Sums one sample row into the cells (sum[j·C ..]) reading the root only: no layers, no change here. */
function rowFromRoot(bp: Uint8Array, rowOff: number, bc: number, xi: Int32Array, xc: Int32Array, S: number, sum: Float64Array): void {
  for (let j = 0; j < S; j++) {
    const nx = xc[j];
    const base = j * MAX_SAMPLES;
    let r = 0;
    let g = 0;
    let b = 0;
    let inside = 0;
    for (let sx = 0; sx < nx; sx++) {
      const x = xi[base + sx];
      if (x < 0) continue;
      const o = rowOff + x * bc;
      r += bp[o];
      g += bp[o + 1];
      b += bp[o + 2];
      inside++;
    }
    const a = j * PATCH_CHANNELS;
    sum[a] += r;
    sum[a + 1] += g;
    sum[a + 2] += b;
    sum[a + 4] += inside;
  }
}

/** The same with the change against a whole after-image of the same size (plain, unrelated images). */
function rowWithWholeChange(
  bp: Uint8Array,
  bc: number,
  ap: Uint8Array,
  ac: number,
  rowPixel: number,
  xi: Int32Array,
  xc: Int32Array,
  S: number,
  sum: Float64Array,
): void {
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
      const bo = (rowPixel + x) * bc;
      const r0 = bp[bo];
      const g0 = bp[bo + 1];
      const b0 = bp[bo + 2];
      r += r0;
      g += g0;
      b += b0;
      inside++;
      d += change(ap, (rowPixel + x) * ac, r0, g0, b0);
    }
    const a = j * PATCH_CHANNELS;
    sum[a] += r;
    sum[a + 1] += g;
    sum[a + 2] += b;
    sum[a + 3] += d;
    sum[a + 4] += inside;
  }
}

/** Index in `l.pixels` of the last layer of `row` covering column x, with that layer in `hit`; −1 if none. */
let hit: Layer | undefined;
function lastCovering(row: Layer[], x: number, y: number): number {
  for (let k = row.length - 1; k >= 0; k--) {
    const l = row[k];
    if (x >= l.x0 && x < l.x1) {
      hit = l;
      return (y - l.y0) * l.stride + (x - l.x0) * l.ch;
    }
  }
  return -1;
}

/** [min x0, max x1) of a row's layers: outside it a sample needs no layer lookup. */
function span(row: Layer[]): [number, number] {
  let x0 = Infinity;
  let x1 = -Infinity;
  for (const l of row) {
    if (l.x0 < x0) x0 = l.x0;
    if (l.x1 > x1) x1 = l.x1;
  }
  return [x0, x1];
}

/**
 * A row that crosses layers: a sample's before value from the last before layer covering it (else
 * the root), its change from the last change layer covering it (else none).
 */
function rowWithLayers(bp: Uint8Array, bc: number, rowPixel: number, y: number, xi: Int32Array, xc: Int32Array, S: number, sum: Float64Array): void {
  const [b0x, b1x] = span(rowBefore);
  const [c0x, c1x] = span(rowChange);
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
      let src: Uint8Array = bp;
      let o = (rowPixel + x) * bc;
      if (x >= b0x && x < b1x) {
        const at = lastCovering(rowBefore, x, y);
        if (at >= 0) {
          src = hit!.pixels;
          o = at;
        }
      }
      const r0 = src[o];
      const g0 = src[o + 1];
      const b0 = src[o + 2];
      r += r0;
      g += g0;
      b += b0;
      inside++;
      if (x >= c0x && x < c1x) {
        const ao = lastCovering(rowChange, x, y);
        if (ao >= 0) d += change(hit!.pixels, ao, r0, g0, b0);
      }
    }
    const a = j * PATCH_CHANNELS;
    sum[a] += r;
    sum[a + 1] += g;
    sum[a + 2] += b;
    sum[a + 3] += d;
    sum[a + 4] += inside;
  }
}

/** Writes the patch of window `win` (S×S cells, PATCH_CHANNELS channels, channel-major) to out[offset ..]. */
export function samplePatch(step: StepPixels, win: Window, S: number, out: Float32Array, offset: number): void {
  ensureScratch(S);
  // Module scratch into locals: V8 keeps them in registers in the loops below.
  const xi = xIdx;
  const yi = yIdx;
  const xc = xCount;
  const yc = yCount;
  const sum = acc;
  const W = step.width;
  const H = step.height;
  const half = (v: number): number => (Number.isFinite(v) && v > 0.5 ? v : 0.5);
  axisSamples(win.cx, half(win.hx), S, W, xi, xc);
  axisSamples(win.cy, half(win.hy), S, H, yi, yc);
  const xMin = Math.max(0, Math.floor(win.cx - half(win.hx)));
  const xMax = Math.min(W - 1, Math.ceil(win.cx + half(win.hx)));
  const c0 = step.change[0];
  const whole = step.change.length === 1 && c0.x0 === 0 && c0.y0 === 0 && c0.x1 === W && c0.y1 === H ? c0 : undefined;
  const bp = step.root.pixels;
  const bc = step.root.channels;
  const plane = S * S;
  const C = PATCH_CHANNELS;
  for (let i = 0; i < S; i++) {
    sum.fill(0, 0, S * C);
    const ny = yc[i];
    for (let sy = 0; sy < ny; sy++) {
      const y = yi[i * MAX_SAMPLES + sy];
      if (y < 0) continue;
      layersOnRow(step.before, y, xMin, xMax, rowBefore);
      if (whole && rowBefore.length === 0) {
        rowWithWholeChange(bp, bc, whole.pixels, whole.ch, y * W, xi, xc, S, sum);
        continue;
      }
      layersOnRow(step.change, y, xMin, xMax, rowChange);
      if (rowBefore.length === 0 && rowChange.length === 0) rowFromRoot(bp, y * W * bc, bc, xi, xc, S, sum);
      else rowWithLayers(bp, bc, y * W, y, xi, xc, S, sum);
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
