import assert from "node:assert/strict";
import { test } from "node:test";
import { CoordinateSpace, type DrawingAction } from "@sketchvl/contract";
import { drawActions, type RasterImage } from "@sketchvl/drawing";
import { CONTEXT_SIZE, contextWindow, ENDS_SIZE, endWindows, LOCAL_SIZE, localWindow } from "./features";
import { stepGeometry } from "./geometry";
import { PATCH_CHANNELS, samplePatch, stepPixels, type Window } from "./patches";
import { realSteps } from "./testFixtures";

// The encoding must not depend on how the images are held: layered (a PatchedImage, as after-images
// reach the PRM) or plain pixels. The oracle is samplePatch as first written (finepr-v1, the code the
// shipped model was trained with), kept here verbatim over plain pixels.

const MAX_SAMPLES = 4;
// Scratch, grown on demand .
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
function referenceSamplePatch(before: RasterImage, after: RasterImage | null, win: Window, S: number, out: Float32Array, offset: number): void {
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

const plain = (img: RasterImage): RasterImage => ({ width: img.width, height: img.height, channels: img.channels, pixels: Buffer.from(img.pixels) });

function windowsOf(before: RasterImage, action: DrawingAction): Array<[Window, number]> {
  const g = stepGeometry(action, before.width, before.height);
  const lw = localWindow(g);
  const [a, b] = endWindows(g);
  return [
    [lw, LOCAL_SIZE],
    [contextWindow(g, lw), CONTEXT_SIZE],
    [a, ENDS_SIZE],
    [b, ENDS_SIZE],
  ];
}

function assertSameEncoding(before: RasterImage, after: RasterImage | null, action: DrawingAction, what: string): void {
  const layered = stepPixels(before, after);
  const flat = stepPixels(plain(before), after && plain(after));
  for (const [k, [win, S]] of windowsOf(before, action).entries()) {
    const n = PATCH_CHANNELS * S * S;
    const expected = new Float32Array(n);
    referenceSamplePatch(plain(before), after && plain(after), win, S, expected, 0);
    const got = new Float32Array(n);
    samplePatch(layered, win, S, got, 0);
    assert.deepEqual(got, expected, `${what}, window ${k}: layered`);
    samplePatch(flat, win, S, got.fill(0), 0);
    assert.deepEqual(got, expected, `${what}, window ${k}: plain`);
  }
}

test("samplePatch: layered images encode bit for bit as their pixels, on real ChartWorld steps", async () => {
  const { steps } = await realSteps("train", 40);
  let layeredSteps = 0;
  for (const [i, s] of steps.entries()) {
    if (stepPixels(s.before, s.after).change.length > 0 && s.after.constructor.name === "PatchedImage") layeredSteps++;
    assertSameEncoding(s.before, s.after, s.action, `step ${i}`);
  }
  assert.ok(layeredSteps >= 30, `${layeredSteps} of 40 steps took the layered path`);
});

test("samplePatch: overlapping marks, an unrelated RGBA after-image, no change, and a crop", async () => {
  const W = 240;
  const H = 160;
  const pixels = Buffer.alloc(W * H * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 13) % 256;
  const chart: RasterImage = { width: W, height: H, channels: 3, pixels };
  const NORM = CoordinateSpace.COORDINATE_SPACE_NORM_1000;
  const at = (x: number, y: number) => ({ x, y });
  const box: DrawingAction = { kind: { $case: "rectangle", value: { corner1: at(200, 200), corner2: at(700, 600) } }, color: "red", space: NORM };
  const line: DrawingAction = { kind: { $case: "line", value: { start: at(100, 400), end: at(900, 420) } }, color: "blue", space: NORM };
  const point: DrawingAction = { kind: { $case: "point", value: { at: at(690, 590) } }, color: "green", space: NORM };
  const crop: DrawingAction = { kind: { $case: "crop", value: { corner1: at(0, 0), corner2: at(500, 500) } }, color: "", space: NORM };
  const before = await drawActions(chart, [box, line]);
  assertSameEncoding(before, await drawActions(before, [point]), point, "a point on two earlier marks");
  assertSameEncoding(before, await drawActions(before, [line, point]), point, "two marks in one step");
  assertSameEncoding(chart, await drawActions(chart, [box, line, point]), point, "three marks on the chart");
  const rgba = Buffer.alloc(W * H * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 7) % 256;
  assertSameEncoding(before, { width: W, height: H, channels: 4, pixels: rgba }, line, "an unrelated RGBA after-image");
  assertSameEncoding(before, before, line, "no change");
  assertSameEncoding(before, await drawActions(before, [crop]), crop, "a crop");
  assertSameEncoding(before, null, line, "no after-image");
});
