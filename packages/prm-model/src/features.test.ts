import assert from "node:assert/strict";
import { test } from "node:test";
import { ACTION_NAMES, CoordinateSpace, type DrawingAction } from "@sketchvl/contract";
import type { RasterImage } from "@sketchvl/drawing";
import { CONTEXT_SIZE, ENDS_SIZE, FEATURE_SET, INPUTS, LABELS, LOCAL_SIZE, META_FEATURES, prepareBatch, type PrmStepInput } from "./features";
import { DATASET_TYPES } from "./dataset";
import { ACTION_TYPES, stepGeometry } from "./geometry";
import { INTENT_FEATURES, intentFeatures } from "./intent";
import { PATCH_CHANNELS } from "./patches";
import { realSteps } from "./testFixtures";

function blank(width: number, height: number, channels: 3 | 4 = 3): RasterImage {
  return { width, height, channels, pixels: Buffer.alloc(width * height * channels, 255) };
}

const NORM = CoordinateSpace.COORDINATE_SPACE_NORM_1000;

test("the contract constants", () => {
  assert.equal(FEATURE_SET, "finepr-v2");
  assert.deepEqual([...LABELS], ["excellent", "acceptable", "poor", "unacceptable"]);
  assert.deepEqual(
    INPUTS.map((i) => i.name),
    ["local", "context", "ends", "meta"],
  );
});

test("prepareBatch: shapes, value ranges and determinism on real ChartWorld steps", async () => {
  const { steps } = await realSteps("train", 40);
  const a = prepareBatch(steps);
  assert.deepEqual(Object.keys(a), ["local", "context", "ends", "meta"]);
  assert.deepEqual(a.local.dims, [40, PATCH_CHANNELS, LOCAL_SIZE, LOCAL_SIZE]);
  assert.deepEqual(a.context.dims, [40, PATCH_CHANNELS, CONTEXT_SIZE, CONTEXT_SIZE]);
  assert.deepEqual(a.ends.dims, [40, 2 * PATCH_CHANNELS, ENDS_SIZE, ENDS_SIZE]);
  assert.deepEqual(a.meta.dims, [40, META_FEATURES]);
  for (const t of Object.values(a)) {
    assert.equal(
      t.data.length,
      t.dims.reduce((x, y) => x * y, 1),
    );
    assert.ok(t.data.every(Number.isFinite));
  }
  for (const v of a.local.data) assert.ok(v >= 0 && v <= 1, `patch values lie in [0, 1], got ${v}`);
  // Every step's change channel sees its mark.
  const plane = LOCAL_SIZE * LOCAL_SIZE;
  for (let i = 0; i < 40; i++) {
    const change = a.local.data.subarray((i * PATCH_CHANNELS + 3) * plane, (i * PATCH_CHANNELS + 4) * plane);
    assert.ok(
      change.some((v) => v > 0.1),
      `step ${i}: the mark shows in the change channel`,
    );
  }
  const b = prepareBatch(steps);
  for (const k of Object.keys(a) as (keyof typeof a)[]) assert.deepEqual(b[k].data, a[k].data);
  // Batching does not change a step's encoding.
  const one = prepareBatch([steps[7]]);
  assert.deepEqual(one.meta.data, a.meta.data.subarray(7 * META_FEATURES, 8 * META_FEATURES));
  assert.deepEqual(one.local.data, a.local.data.subarray(7 * PATCH_CHANNELS * plane, 8 * PATCH_CHANNELS * plane));
});

test("prepareBatch: an empty batch", () => {
  const r = prepareBatch([]);
  assert.deepEqual(r.local.dims, [0, PATCH_CHANNELS, LOCAL_SIZE, LOCAL_SIZE]);
  assert.equal(r.meta.data.length, 0);
});

test("prepareBatch: odd but valid steps get a defined encoding and never throw", () => {
  const img = blank(400, 300);
  const rgba = blank(400, 300, 4);
  const odd: DrawingAction[] = [
    { color: "Red", space: NORM, kind: { $case: "rectangle", value: { corner1: { x: -900, y: -900 }, corner2: { x: 1900, y: 1900 } } } },
    { color: "Red", space: NORM, kind: { $case: "rectangle", value: { corner1: { x: 500, y: 500 }, corner2: { x: 500, y: 500 } } } },
    { color: "Red", space: NORM, kind: { $case: "line", value: { start: { x: 10, y: 10 }, end: { x: 10, y: 10 } } } },
    { color: "Red", space: NORM, kind: { $case: "point", value: { at: { x: 1500, y: -20 } } } },
    { color: "Red", space: NORM, kind: { $case: "circle", value: { center: { x: 500, y: 500 }, radius: 0 } } },
    { color: "Red", space: NORM, kind: { $case: "circle", value: { center: { x: 500, y: 500 }, radius: 1e9 } } },
    { color: "Red", space: NORM, kind: { $case: "text", value: { at: { x: 100, y: 100 }, text: "hello" } } },
    { color: "Red", space: CoordinateSpace.COORDINATE_SPACE_PIXEL, kind: { $case: "crop", value: { corner1: { x: 0, y: 0 }, corner2: { x: 200, y: 100 } } } },
    { color: "", space: CoordinateSpace.COORDINATE_SPACE_UNIT, kind: { $case: "point", value: { at: { x: 0.5, y: 0.5 } } } },
    { color: "Red", space: NORM, kind: { $case: "point", value: { at: { x: Number.NaN, y: Infinity } } } },
    { color: "Red", space: NORM, kind: undefined },
    { color: "Red", space: NORM, kind: { $case: "line", value: { start: undefined, end: { x: 1, y: 1 } } } } as unknown as DrawingAction,
  ];
  const steps: PrmStepInput[] = odd.map((action, i) => ({
    intent: ["", "Box the legend", "x".repeat(100_000), "Point at 2002"][i % 4],
    action,
    before: i % 2 ? rgba : img,
    // A crop's after image is smaller than its before image.
    after: action.kind?.$case === "crop" ? blank(200, 100) : i === 5 ? blank(1, 1) : img,
  }));
  const r = prepareBatch(steps);
  assert.equal(r.meta.dims[0], odd.length);
  for (const t of Object.values(r)) assert.ok(t.data.every(Number.isFinite));
  // Type one-hots: rectangle, rectangle, line, point, circle, circle, text, crop, point, point, none, none.
  const types = odd.map((_, i) => r.meta.data.subarray(i * META_FEATURES, i * META_FEATURES + ACTION_TYPES.length).indexOf(1));
  assert.deepEqual(
    types.map((t) => ACTION_TYPES[t]),
    ["rectangle", "rectangle", "line", "point", "circle", "circle", "text", "crop", "point", "point", "none", "none"],
  );
  assert.throws(() => prepareBatch([{ intent: "x", action: odd[0], before: undefined as unknown as RasterImage, after: img }]), TypeError);
});

test("stepGeometry follows the renderer's coordinate spaces and clamping", () => {
  const g = stepGeometry(
    { color: "", space: NORM, kind: { $case: "rectangle", value: { corner1: { x: 750, y: 600 }, corner2: { x: 250, y: -100 } } } },
    400,
    200,
  );
  assert.deepEqual([g.x1, g.y1, g.x2, g.y2], [100, 0, 300, 120]);
  const p = stepGeometry(
    { color: "", space: CoordinateSpace.COORDINATE_SPACE_PIXEL, kind: { $case: "circle", value: { center: { x: 10, y: 20 }, radius: 5 } } },
    400,
    200,
  );
  assert.deepEqual([p.x1, p.y1, p.r], [10, 20, 5]);
  const u = stepGeometry(
    { color: "", space: CoordinateSpace.COORDINATE_SPACE_UNIT, kind: { $case: "circle", value: { center: { x: 0.5, y: 0.5 }, radius: 0.1 } } },
    400,
    200,
  );
  assert.deepEqual([u.x1, u.y1, u.r], [200, 100, 20]);
});

test("intent features: verb, verb/type agreement, keywords, numbers", () => {
  const out = new Float32Array(INTENT_FEATURES);
  intentFeatures("Box the FDI legend entry", 0, out, 0);
  assert.equal(out[0], 1, "verb box");
  assert.equal(out[6], 1, "matches a box action");
  intentFeatures("Box the FDI legend entry", 2, out, 0);
  assert.equal(out[6], 0);
  assert.equal(out[7], 1, "a point action does not match Box");
  intentFeatures("Draw a horizontal line at 80 on the y-axis", 1, out, 0);
  assert.equal(out[1], 1, "verb draw → line");
  assert.equal(out[6], 1);
  assert.equal(out[INTENT_FEATURES - 2], 1, "names a number");
  intentFeatures("", 1, out, 0);
  assert.equal(out[INTENT_FEATURES - 1], 1, "empty intent");
  assert.equal(
    out.reduce((a, b) => a + b, 0),
    1,
  );
});

test("the type one-hot names every contract kind once, by the contract's name, plus none", () => {
  assert.deepEqual([...ACTION_TYPES].filter((t) => t !== "none").sort(), [...ACTION_NAMES].sort());
});

test("dataset type codes keep their order (cached datasets store indices into it)", () => {
  assert.deepEqual(DATASET_TYPES, ["rectangle", "line", "point", "circle", "text"]);
});
