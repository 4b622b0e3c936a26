import { after, test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { CoordinateSpace, type DrawingAction } from "@sketchvl/contract";
import { applyEdits, drawSteps, markedPixels, type PlannedAction, planActions, RASTER_CHUNK_PIXELS } from "./draw";
import { DrawingThreads } from "./drawingThreads";
import { copyPixels, type RasterImage } from "./images";
import { rawDigest } from "./imageRefs";

// One thread, so every call below is drawn on the same one.
const threads = new DrawingThreads(1);
after(() => threads.close());

async function chart(width: number, height: number): Promise<RasterImage> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/><rect x="50" y="80" width="90" height="300" fill="#4a7"/></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).flatten({ background: "#fff" }).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, pixels: copyPixels(data) };
}

const act = (kind: DrawingAction["kind"], color: string): DrawingAction => ({ kind, color, space: CoordinateSpace.COORDINATE_SPACE_NORM_1000 });
const p = (x: number, y: number) => ({ x, y });

/** A trajectory like a policy's (bench/reward): a box, two lines, a point, moved by `j`. */
function trajectory(size: { width: number; height: number }, j: number): PlannedAction[][] {
  const steps: DrawingAction[] = [
    act({ $case: "rectangle", value: { corner1: p(100 + j, 796 + j), corner2: p(132 + j, 884 + j) } }, "Red"),
    act({ $case: "line", value: { start: p(429 + j, 80), end: p(429 + j, 960) } }, "Blue"),
    act({ $case: "line", value: { start: p(429 + j, 618 + j), end: p(886, 618 + j) } }, "Green"),
    act({ $case: "point", value: { at: p(915 + j, 618 + j) } }, "Red"),
  ];
  return steps.map((a, i) => planActions(size, [a], () => `steps[${i}]`));
}

async function digestsInProcess(base: RasterImage, steps: PlannedAction[][]): Promise<string[]> {
  const out: string[] = [];
  let current = base;
  for await (const edits of drawSteps(base, steps)) {
    current = applyEdits(current, edits);
    out.push(rawDigest(current));
  }
  return out;
}

/** Draws calls on the threads at once; `events` gets "start i" at a call's first after-image and "end i" at its last. */
async function drawAll(base: RasterImage, calls: PlannedAction[][][], events: string[] = []): Promise<string[][]> {
  return Promise.all(
    calls.map(async (steps, i) => {
      const digests: string[] = [];
      for await (const image of threads.drawSteps(base, steps)) {
        if (digests.length === 0) events.push(`start ${i}`);
        digests.push(rawDigest(image));
      }
      events.push(`end ${i}`);
      return digests;
    }),
  );
}

test("light calls on one thread are drawn together: fewer sharp calls, the same after-images as each alone", async () => {
  const base = await chart(1000, 700);
  const calls = Array.from({ length: 8 }, (_, i) => trajectory(base, ((i * 37) % 11) - 5));
  const expected = await Promise.all(calls.map((steps) => digestsInProcess(base, steps)));

  let before = threads.rasterized;
  for (const steps of calls) await drawAll(base, [steps]);
  const oneAtATime = threads.rasterized - before;

  before = threads.rasterized;
  const events: string[] = [];
  const together = await drawAll(base, calls, events);
  const batched = threads.rasterized - before;

  assert.deepEqual(together, expected);
  assert.ok(oneAtATime >= calls.length, `one at a time: ${oneAtATime} sharp calls for ${calls.length} calls`);
  assert.ok(batched * 4 <= oneAtATime, `together: ${batched} sharp calls for ${calls.length} calls (one at a time: ${oneAtATime})`);
  // More than 2 were on the thread at once (drawing, not waiting): the first may have come alone.
  let inFlight = 0;
  let most = 0;
  for (const e of events) {
    inFlight += e.startsWith("start") ? 1 : -1;
    most = Math.max(most, inFlight);
  }
  assert.ok(most > calls.length / 2, events.join(", "));
});

test("heavy calls still take a thread 2 at a time, and a light call does not join them", async () => {
  const base = await chart(800, 600);
  const circles = Array.from({ length: 16 }, (_, i) => act({ $case: "circle", value: { center: p(500, 500), radius: 300 + i * 5 } }, "Blue"));
  const heavy = [planActions(base, circles, (i) => `a${i}`)];
  assert.ok(markedPixels(heavy) > RASTER_CHUNK_PIXELS);
  const light = trajectory(base, 0);

  const threeHeavy: string[] = [];
  const digests = await drawAll(base, [heavy, heavy, heavy], threeHeavy);
  assert.ok(threeHeavy.indexOf("start 2") > threeHeavy.findIndex((e) => e.startsWith("end")), `a third heavy call waits: ${threeHeavy.join(", ")}`);
  assert.equal(new Set(digests.map((d) => d.join())).size, 1);

  // Nothing waits ahead of the light call: it finds no room beside two heavy ones all the same.
  const heavyAndLight: string[] = [];
  const [, , lightDigests] = await drawAll(base, [heavy, heavy, light], heavyAndLight);
  assert.ok(heavyAndLight.indexOf("start 2") > heavyAndLight.findIndex((e) => e.startsWith("end")), `the light call waits: ${heavyAndLight.join(", ")}`);
  assert.deepEqual(lightDigests, await digestsInProcess(base, light));
});

test("a group's trajectories in one drawTrajectories call: each trajectory's after-images as drawn alone, their marks in one or two sharp calls", async () => {
  const base = await chart(1000, 700);
  const group = Array.from({ length: 24 }, (_, i) => trajectory(base, ((i * 37) % 11) - 5));
  const expected = await Promise.all(group.map((steps) => digestsInProcess(base, steps)));
  const before = threads.rasterized;
  const got: string[][] = group.map(() => []);
  let last = -1;
  for await (const { trajectory: k, after } of threads.drawTrajectories(base, group)) {
    assert.ok(k >= last, "trajectories come one after the other");
    last = k;
    got[k].push(rawDigest(after));
  }
  assert.deepEqual(got, expected);
  const sharpCalls = threads.rasterized - before;
  assert.ok(sharpCalls >= 1 && sharpCalls <= 2, `${sharpCalls} sharp calls for 24 trajectories × 4 marks`);
});
