// Writing and reading are inverses: what formatSketchVLStep writes, parseSteps reads back as the
// same action, intent and deduction.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { CoordinateSpace, type DrawingAction, MARK_NAMES, type MarkName, StepFormat } from "@sketchvl/contract";
import { formatSketchVLAction, formatSketchVLStep } from "./format";
import { parseSteps } from "./parse";

const NORM = CoordinateSpace.COORDINATE_SPACE_NORM_1000;
const coord = fc.integer({ min: 0, max: 1000 });
// Plain objects (fc.record makes null-prototype ones, which deepEqual tells apart from parsed points).
const pt = fc.tuple(coord, coord).map(([x, y]) => ({ x, y }));

function action(kind: MarkName, a: { x: number; y: number }, b: { x: number; y: number }, r: number, text: string, color: string): DrawingAction {
  switch (kind) {
    case "point":
      return { kind: { $case: "point", value: { at: a } }, color, space: NORM };
    case "line":
      return { kind: { $case: "line", value: { start: a, end: b } }, color, space: NORM };
    case "rectangle":
      return { kind: { $case: "rectangle", value: { corner1: a, corner2: b } }, color, space: NORM };
    case "circle":
      return { kind: { $case: "circle", value: { center: a, radius: r } }, color, space: NORM };
    case "text":
      return { kind: { $case: "text", value: { at: a, text } }, color, space: NORM };
  }
}

test("the paper's wording: a rectangle is written as a Box, y first", () => {
  const box = action("rectangle", { x: 80, y: 120 }, { x: 410, y: 300 }, 0, "", "Red");
  assert.equal(formatSketchVLAction(box), "#Draw Box, [120,80,300,410], Red");
  assert.equal(formatSketchVLAction({ ...box, color: "" }), "#Draw Box, [120,80,300,410], Red");
  assert.throws(() => formatSketchVLAction({ kind: undefined, color: "", space: NORM }), /empty or crop/);
});

test("every written step parses back to the action it was written from", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...MARK_NAMES),
      pt,
      pt,
      fc.integer({ min: 1, max: 500 }),
      fc.stringMatching(/^[A-Za-z0-9 ]{1,12}$/).filter((s) => s.trim() !== ""),
      fc.constantFrom("Red", "Blue", "green"),
      (kind, a, b, r, text, color) => {
        const act = action(kind, a, b, r, text, color);
        const written = formatSketchVLStep(1, "the bars differ", "mark it", act);
        const parsed = parseSteps(written, StepFormat.STEP_FORMAT_UNSPECIFIED);
        assert.deepEqual(parsed.errors, [], written);
        assert.equal(parsed.steps.length, 1, written);
        assert.deepEqual(parsed.steps[0].action, act, written);
        assert.equal(parsed.steps[0].intent, "mark it");
        assert.equal(parsed.steps[0].deduction, "the bars differ");
      },
    ),
    { numRuns: 300 },
  );
});
