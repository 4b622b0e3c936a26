import { after, test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { CoordinateSpace, type DrawingAction } from "@sketchvl/contract";
import { drawSteps, drawingBytes, planActions, applyEdits } from "./draw";
import { DrawingThreads } from "./drawingThreads";
import { copyPixels, type RasterImage } from "./images";
import { rawDigest } from "./imageRefs";

const threads = new DrawingThreads(2);
after(() => threads.close());

async function chart(width: number, height: number): Promise<RasterImage> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/><rect x="50" y="80" width="90" height="300" fill="#4a7"/><text x="60" y="40" font-size="20">Sales</text></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).flatten({ background: "#fff" }).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, pixels: copyPixels(data) };
}

const act = (kind: DrawingAction["kind"], color = "Red"): DrawingAction => ({ kind, color, space: CoordinateSpace.COORDINATE_SPACE_NORM_1000 });
const circle = (x: number, y: number, r: number) => act({ $case: "circle", value: { center: { x, y }, radius: r } }, "Blue");
const box = (x1: number, y1: number, x2: number, y2: number) => act({ $case: "rectangle", value: { corner1: { x: x1, y: y1 }, corner2: { x: x2, y: y2 } } });
const crop = act({ $case: "crop", value: { corner1: { x: 100, y: 100 }, corner2: { x: 700, y: 800 } } });

/** Steps covering every path: sparse marks (patches), dense marks (a full copy), a crop, text, many regions. */
const STEPS: DrawingAction[][] = [
  [box(100, 100, 300, 300)],
  [circle(500, 500, 480), circle(400, 400, 450)],
  [crop, box(10, 10, 500, 500)],
  [act({ $case: "text", value: { at: { x: 50, y: 50 }, text: "Peak 42" } }, "Black")],
  Array.from({ length: 70 }, (_, i) => act({ $case: "point", value: { at: { x: (i * 13) % 1000, y: (i * 29) % 1000 } } })),
];

test("drawing on threads gives the same after-images as drawing in-process, step by step", async () => {
  const base = await chart(640, 480);
  let size: { width: number; height: number } = base;
  const planned = STEPS.map((step, s) => {
    const p = planActions(size, step, (i) => `steps[${s}][${i}]`);
    const c = p.find(({ op }) => op.op === "crop");
    if (c && c.op.op === "crop") size = { width: c.op.width, height: c.op.height };
    return p;
  });
  const expected: string[] = [];
  let current = base;
  for await (const edits of drawSteps(base, planned)) {
    current = applyEdits(current, edits);
    expected.push(rawDigest(current));
  }
  const got: string[] = [];
  for await (const image of threads.drawSteps(base, planned)) got.push(rawDigest(image));
  assert.equal(got.length, STEPS.length);
  assert.deepEqual(got, expected);
  assert.ok(drawingBytes(base, planned) > 0);
});

test("more calls than threads take turns, and a call stopped early frees its turn", async () => {
  const base = await chart(400, 300);
  const planned = [planActions(base, [circle(500, 500, 300)], (i) => `a${i}`)];
  const drawOne = async () => {
    let last: RasterImage | undefined;
    for await (const image of threads.drawSteps(base, planned)) last = image;
    return rawDigest(last!);
  };
  // 2 threads × 2 calls each run, the other light ones wait: 8 at once all finish, with the same pixels.
  const digests = await Promise.all(Array.from({ length: 8 }, drawOne));
  assert.equal(new Set(digests).size, 1);
  for await (const _ of threads.drawSteps(base, [...planned, ...planned])) break;
  assert.equal(await drawOne(), digests[0]);
});

test("calls queue up to a bound in pixels to draw; past it, a call is refused at once (RESOURCE_EXHAUSTED)", async () => {
  const base = await chart(800, 600);
  // ~27 M pixels a call (marks and image): 4 run, 3 more fit in the queue (100 M pixels).
  const heavy = [
    planActions(
      base,
      Array.from({ length: 80 }, (_, i) => circle(500, 500, 300 + i * 5)),
      (i) => `a${i}`,
    ),
  ];
  const calls = Array.from({ length: 12 }, async () => {
    for await (const _ of threads.drawSteps(base, heavy)) void _;
    return "drawn";
  });
  const results = await Promise.allSettled(calls);
  const refused = results.filter((r) => r.status === "rejected" && (r.reason as Error).name === "ResourceExhaustedError").length;
  const drawn = results.filter((r) => r.status === "fulfilled").length;
  assert.equal(drawn + refused, 12, JSON.stringify(results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason))));
  assert.equal(drawn, 7, "2 threads × 2 calls, and three waiting");
});
