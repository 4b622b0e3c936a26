import assert from "node:assert/strict";
import { test } from "node:test";
import { CoordinateSpace, type DrawingAction, PRM_LABEL_NAMES } from "@sketchvl/contract";
import fc from "fast-check";
import type { ChartAnnotations, ChartElement } from "./chartTypes";
import { scoreStep, scoreStepValue } from "./scoreStep";
import { actionToShape, shapeToAction, type PixelShape } from "./actionShapes";
import type { StepTarget } from "./stepTarget";

// A 600x400 chart with three bars, three x tick labels and two legend entries (no rendering needed).
const W = 600;
const H = 400;
const el = (id: string, kind: ChartElement["kind"], x1: number, y1: number, x2: number, y2: number, anchor?: { x: number; y: number }): ChartElement => ({
  id,
  kind,
  box: { x1, y1, x2, y2 },
  anchor: anchor ?? { x: (x1 + x2) / 2, y: (y1 + y2) / 2 },
});
const annotations: ChartAnnotations = {
  chartId: "synthetic",
  kind: "vbar",
  width: W,
  height: H,
  plotArea: { x1: 50, y1: 20, x2: 500, y2: 350 },
  axes: {
    x: { channel: "x", orient: "bottom", title: null, scale: "band", range: [50, 500] },
    y: { channel: "y", orient: "left", title: null, scale: "linear", range: [350, 20], domain: [0, 100] },
  },
  legend: null,
  table: { categoryTitle: "c", valueTitle: "v", seriesTitle: null, categories: ["A", "B", "C"], series: [""], rows: [] },
  elements: [
    el("bar::A", "bar", 70, 100, 170, 350),
    el("bar::B", "bar", 220, 200, 320, 350),
    el("bar::C", "bar", 370, 60, 470, 350),
    el("xtick:A", "x-tick-label", 110, 357, 130, 369, { x: 120, y: 357 }),
    el("xtick:B", "x-tick-label", 260, 357, 280, 369, { x: 270, y: 357 }),
    el("xtick:C", "x-tick-label", 410, 357, 430, 369, { x: 420, y: 357 }),
    el("legend:x", "legend-entry", 520, 30, 580, 42),
    el("legend:y", "legend-entry", 520, 46, 580, 58),
    el("point::A", "point", 117, 97, 123, 103, { x: 120, y: 100 }),
    el("point::B", "point", 267, 197, 273, 203, { x: 270, y: 200 }),
  ],
};
const size = { width: W, height: H };
const act = (s: PixelShape): DrawingAction => shapeToAction(s, size);
const boxTarget: StepTarget = { shape: { type: "box", box: annotations.elements[1].box }, elementId: "bar::B", rivalKind: "bar" };
const pointTarget: StepTarget = { shape: { type: "point", at: { x: 270, y: 357 } }, elementId: "xtick:B", rivalKind: "x-tick-label" };
const circleTarget: StepTarget = { shape: { type: "circle", center: { x: 270, y: 200 }, r: 8 }, elementId: "point::B", rivalKind: "point" };
const levelTarget: StepTarget = { shape: { type: "line", p1: { x: 50, y: 200 }, p2: { x: 500, y: 200 } }, elementId: null, rivalKind: null };
const dropTarget: StepTarget = { shape: { type: "line", p1: { x: 270, y: 200 }, p2: { x: 270, y: 350 } }, elementId: "xtick:B", rivalKind: "x-tick-label" };
const rank = (l: string): number => PRM_LABEL_NAMES.indexOf(l as never);

test("the exact target is excellent for every type, in NORM_1000 and pixel space", () => {
  for (const t of [boxTarget, pointTarget, circleTarget, levelTarget, dropTarget]) {
    assert.equal(scoreStep(annotations, t, act(t.shape)), "excellent", t.shape.type);
    // Rendering against a 1000x1000 "image" leaves integer pixel coordinates unchanged.
    const px = { ...shapeToAction(t.shape, { width: 1000, height: 1000 }), space: CoordinateSpace.COORDINATE_SPACE_PIXEL };
    assert.equal(scoreStep(annotations, t, px), "excellent", `${t.shape.type} in pixels`);
  }
  assert.equal(scoreStepValue(annotations, boxTarget, act(boxTarget.shape)), 4);
});

test("wrong action type is unacceptable; text and empty actions too", () => {
  assert.equal(scoreStep(annotations, boxTarget, act({ type: "point", at: { x: 270, y: 275 } })), "unacceptable");
  assert.equal(scoreStep(annotations, pointTarget, act({ type: "circle", center: { x: 270, y: 357 }, r: 5 })), "unacceptable");
  assert.equal(scoreStep(annotations, levelTarget, act({ type: "box", box: { x1: 50, y1: 198, x2: 500, y2: 202 } })), "unacceptable");
  assert.equal(scoreStep(annotations, circleTarget, act({ type: "text", at: { x: 270, y: 200 }, text: "here" })), "unacceptable");
  assert.equal(scoreStep(annotations, boxTarget, { kind: undefined, color: "", space: CoordinateSpace.COORDINATE_SPACE_NORM_1000 }), "unacceptable");
});

test("boxing, pointing at or circling a different element is unacceptable", () => {
  assert.equal(scoreStep(annotations, boxTarget, act({ type: "box", box: annotations.elements[2].box })), "unacceptable");
  assert.equal(scoreStep(annotations, pointTarget, act({ type: "point", at: { x: 420, y: 357 } })), "unacceptable");
  assert.equal(scoreStep(annotations, circleTarget, act({ type: "circle", center: { x: 120, y: 100 }, r: 8 })), "unacceptable");
  assert.equal(scoreStep(annotations, dropTarget, act({ type: "line", p1: { x: 120, y: 100 }, p2: { x: 120, y: 350 } })), "unacceptable");
});

test("box quality degrades with IoU", () => {
  const b = boxTarget.shape.type === "box" ? boxTarget.shape.box : annotations.plotArea;
  const grown = (f: number): PixelShape => ({ type: "box", box: { x1: b.x1 - f * 50, y1: b.y1 - f * 75, x2: b.x2 + f * 50, y2: b.y2 + f * 75 } });
  assert.equal(scoreStep(annotations, boxTarget, act(grown(0.1))), "excellent");
  assert.equal(scoreStep(annotations, boxTarget, act(grown(0.3))), "acceptable");
  assert.equal(scoreStep(annotations, boxTarget, act({ type: "box", box: { x1: 220, y1: 200, x2: 320, y2: 240 } })), "poor");
});

test("lines: tilt, offset and coverage matter; direction does not", () => {
  const reversed = act({ type: "line", p1: { x: 500, y: 200 }, p2: { x: 50, y: 200 } });
  assert.equal(scoreStep(annotations, levelTarget, reversed), "excellent");
  assert.equal(scoreStep(annotations, levelTarget, act({ type: "line", p1: { x: 50, y: 208 }, p2: { x: 500, y: 208 } })), "acceptable");
  assert.equal(scoreStep(annotations, levelTarget, act({ type: "line", p1: { x: 50, y: 240 }, p2: { x: 500, y: 240 } })), "unacceptable");
  assert.equal(scoreStep(annotations, levelTarget, act({ type: "line", p1: { x: 50, y: 200 }, p2: { x: 120, y: 200 } })), "poor");
  assert.equal(scoreStep(annotations, levelTarget, act({ type: "line", p1: { x: 270, y: 200 }, p2: { x: 270, y: 200 } })), "unacceptable");
});

const PX = CoordinateSpace.COORDINATE_SPACE_PIXEL;
const pxPoint = (x: number, y: number): DrawingAction => ({ color: "Red", space: PX, kind: { $case: "point", value: { at: { x, y } } } });
const pxCircle = (x: number, y: number, r: number): DrawingAction => ({
  color: "Red",
  space: PX,
  kind: { $case: "circle", value: { center: { x, y }, radius: r } },
});

test("property: moving a point or circle farther never improves its label", () => {
  // Pixel space, so NORM_1000 rounding cannot make tiny moves non-monotone.
  fc.assert(
    fc.property(
      fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
      fc.double({ min: 0, max: 80, noNaN: true }),
      fc.double({ min: 0, max: 80, noNaN: true }),
      (a, d1, d2) => {
        const [near, far] = d1 < d2 ? [d1, d2] : [d2, d1];
        const dx = Math.cos(a);
        const dy = Math.sin(a);
        const pt = (d: number): DrawingAction => pxPoint(270 + d * dx, 357 + d * dy);
        const ci = (d: number): DrawingAction => pxCircle(270 + d * dx, 200 + d * dy, 8);
        assert.ok(rank(scoreStep(annotations, pointTarget, pt(far))) >= rank(scoreStep(annotations, pointTarget, pt(near))));
        assert.ok(rank(scoreStep(annotations, circleTarget, ci(far))) >= rank(scoreStep(annotations, circleTarget, ci(near))));
      },
    ),
  );
});

test("property: any action gets one of the four labels and never throws", () => {
  const num = fc.integer({ min: -100, max: 1100 });
  fc.assert(
    fc.property(
      fc.constantFrom(boxTarget, pointTarget, circleTarget, levelTarget, dropTarget),
      fc.constantFrom("rectangle", "line", "point", "circle"),
      num,
      num,
      num,
      num,
      (t, kind, a, b, c, d) => {
        const p = { x: a, y: b };
        const q = { x: c, y: d };
        const base = { color: "Red", space: CoordinateSpace.COORDINATE_SPACE_NORM_1000 };
        const action: DrawingAction =
          kind === "rectangle"
            ? { ...base, kind: { $case: "rectangle", value: { corner1: p, corner2: q } } }
            : kind === "line"
              ? { ...base, kind: { $case: "line", value: { start: p, end: q } } }
              : kind === "point"
                ? { ...base, kind: { $case: "point", value: { at: p } } }
                : { ...base, kind: { $case: "circle", value: { center: p, radius: c } } };
        assert.ok(PRM_LABEL_NAMES.includes(scoreStep(annotations, t, action)));
      },
    ),
  );
});

const NORM = CoordinateSpace.COORDINATE_SPACE_NORM_1000;

test("an action with a missing point, or a coordinate the renderer would refuse, is unacceptable (not drawn at (0,0))", () => {
  // pointTarget is near the bottom-left; levelTarget's line is scored by geometry: both would grade a (0,0) point generously.
  const origin: StepTarget = { shape: { type: "point", at: { x: 0, y: 0 } }, elementId: null, rivalKind: null };
  assert.equal(scoreStep(annotations, origin, { color: "Red", space: NORM, kind: { $case: "point", value: { at: { x: 0, y: 0 } } } }), "excellent");
  assert.equal(scoreStep(annotations, origin, { color: "Red", space: NORM, kind: { $case: "point", value: { at: undefined } } }), "unacceptable");
  const b = boxTarget.shape.type === "box" ? boxTarget.shape.box : annotations.plotArea;
  const exact = act(boxTarget.shape);
  const rect = exact.kind?.$case === "rectangle" ? exact.kind.value : undefined;
  assert.ok(rect && b);
  assert.equal(
    scoreStep(annotations, boxTarget, { ...exact, kind: { $case: "rectangle", value: { corner1: rect.corner1, corner2: undefined } } }),
    "unacceptable",
  );
  for (const bad of [NaN, Infinity, -Infinity, 2001, -1001, 1e9]) {
    const p = { color: "Red", space: NORM, kind: { $case: "point" as const, value: { at: { x: bad, y: 0 } } } };
    assert.equal(scoreStep(annotations, origin, p), "unacceptable", String(bad));
    assert.equal(actionToShape(p, size), null, String(bad));
    const line = { color: "Red", space: NORM, kind: { $case: "line" as const, value: { start: { x: 83, y: 500 }, end: { x: 833, y: bad } } } };
    assert.equal(scoreStep(annotations, levelTarget, line), "unacceptable", `line ${bad}`);
  }
  // A level line running off the image: its geometry alone (angle, offset, coverage) would be excellent.
  const runaway = (x2: number): DrawingAction => ({
    color: "Red",
    space: NORM,
    kind: { $case: "line", value: { start: { x: 83, y: 500 }, end: { x: x2, y: 500 } } },
  });
  assert.equal(scoreStep(annotations, levelTarget, runaway(1900)), "excellent"); // clamped to the image edge
  assert.equal(scoreStep(annotations, levelTarget, runaway(2001)), "unacceptable");
  assert.equal(scoreStep(annotations, levelTarget, runaway(5000)), "unacceptable");
  const badRadius = (r: number): DrawingAction => ({ color: "Red", space: NORM, kind: { $case: "circle", value: { center: { x: 450, y: 500 }, radius: r } } });
  for (const r of [NaN, -5, 2001]) assert.equal(scoreStep(annotations, circleTarget, badRadius(r)), "unacceptable", `radius ${r}`);
  assert.equal(scoreStep(annotations, circleTarget, { ...act(circleTarget.shape), space: CoordinateSpace.UNRECOGNIZED }), "unacceptable");
});

test("coordinates a little outside are clamped to the image, as the renderer draws them", () => {
  const corner: StepTarget = { shape: { type: "point", at: { x: W, y: 0 } }, elementId: null, rivalKind: null };
  const p = (x: number, y: number): DrawingAction => ({ color: "Red", space: NORM, kind: { $case: "point", value: { at: { x, y } } } });
  assert.equal(scoreStep(annotations, corner, p(1003, -2)), "excellent");
  assert.equal(scoreStep(annotations, corner, p(1900, -900)), "excellent");
  assert.deepEqual(actionToShape(p(1003, -2), size), { type: "point", at: { x: W, y: 0 } });
});

test("actionToShape uses the renderer's conversion in every space and refuses missing points", () => {
  assert.deepEqual(actionToShape({ color: "", space: NORM, kind: { $case: "circle", value: { center: { x: 500, y: 250 }, radius: 100 } } }, size), {
    type: "circle",
    center: { x: 300, y: 100 },
    r: 40,
  });
  assert.deepEqual(
    actionToShape(
      { color: "", space: CoordinateSpace.COORDINATE_SPACE_UNIT, kind: { $case: "line", value: { start: { x: 0.5, y: 0.5 }, end: { x: 1.01, y: 0 } } } },
      size,
    ),
    {
      type: "line",
      p1: { x: 300, y: 200 },
      p2: { x: 600, y: 0 },
    },
  );
  assert.equal(actionToShape({ color: "", space: NORM, kind: { $case: "line", value: { start: { x: 1, y: 1 }, end: undefined } } }, size), null);
  assert.equal(actionToShape({ color: "", space: NORM, kind: undefined }, size), null);
});
