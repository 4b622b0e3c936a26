import { test } from "node:test";
import assert from "node:assert/strict";
import { CoordinateSpace, StepFormat } from "@sketchvl/contract";
import { parseSteps } from "./index";
import { cpSlice } from "./spansTestHelpers";

test("BEGIN…END blocks are turns; x-first UNIT coordinates", () => {
  const text = [
    "The tallest bar is 2019 📈.",
    "BEGIN",
    "create_rectangle r1 0.1 0.2 0.3 0.4 red",
    "create_point p1 0.5, 0.25",
    "END",
    "<image>",
    "BEGIN",
    "create_circle c1 0.5 0.5 0.1 blue",
    "create_arrow a1 0 0 1 1",
    "create_line 0.1 0.1 0.9 0.1",
    "END",
    "Answer: 2019",
  ].join("\n");
  const r = parseSteps(text);
  assert.equal(r.format, StepFormat.STEP_FORMAT_CHARTSKETCHER);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(
    r.steps.map((s) => s.turn),
    [0, 0, 1, 1, 1],
  );
  assert.deepEqual(r.steps[0].action, {
    kind: { $case: "rectangle", value: { corner1: { x: 0.1, y: 0.2 }, corner2: { x: 0.3, y: 0.4 } } },
    color: "red",
    space: CoordinateSpace.COORDINATE_SPACE_UNIT,
  });
  assert.deepEqual(r.steps[1].action?.kind, { $case: "point", value: { at: { x: 0.5, y: 0.25 } } });
  assert.deepEqual(r.steps[2].action?.kind, { $case: "circle", value: { center: { x: 0.5, y: 0.5 }, radius: 0.1 } });
  assert.deepEqual(r.steps[3].action?.kind, { $case: "line", value: { start: { x: 0, y: 0 }, end: { x: 1, y: 1 } } });
  assert.deepEqual(r.steps[4].action?.kind, { $case: "line", value: { start: { x: 0.1, y: 0.1 }, end: { x: 0.9, y: 0.1 } } });
  assert.equal(cpSlice(text, r.steps[0].span), "create_rectangle r1 0.1 0.2 0.3 0.4 red");
  assert.equal(cpSlice(text, r.steps[0].actionSpan), "create_rectangle r1 0.1 0.2 0.3 0.4 red");
  assert.equal(r.steps[0].intent, "");
  assert.equal(r.answer, "2019");
  assert.equal(cpSlice(text, r.answerSpan), "2019");
  assert.equal(r.turnCount, 3);
});

test("editing commands, unknown commands and bad arguments are FormatErrors", () => {
  const text = [
    "BEGIN",
    "create_point p1 0.5 0.5",
    "translate p1 0.1 0",
    "rotate p1 30",
    "delete p1",
    "create_hexagon h 1 2",
    "create_line l1 0.1 0.2 0.3 red",
    "create_line l2 0.1 zero 0.3 0.4",
    "create_point p2 0.1 0.2 octarine",
    "create_point p3 0.1 0.2 red extra",
    "create_point p4 0.3 0.3",
    "END",
    "create_point p5 0.3 0.3",
  ].join("\n");
  const r = parseSteps(text, StepFormat.STEP_FORMAT_CHARTSKETCHER);
  assert.equal(r.steps.length, 2);
  assert.deepEqual(
    r.errors.map((e) => [e.stepIndex, e.field, cpSlice(text, e.span)]),
    [
      [1, "action", "translate"],
      [1, "action", "rotate"],
      [1, "action", "delete"],
      [1, "action.kind", "create_hexagon"],
      [1, "action.coordinates", " l1 0.1 0.2 0.3 red"],
      [1, "action.coordinates[1]", "zero"],
      [1, "action.color", "octarine"],
      [1, "action", "extra"],
      [2, "action", "create_point p5 0.3 0.3"],
    ],
  );
  assert.match(r.errors[0].message, /editing commands/);
  assert.match(r.errors[4].message, /create_line needs x1 y1 x2 y2 \(4 numbers\), got 3/);
  assert.match(r.errors[8].message, /outside BEGIN/);
});

test("an unclosed block runs to the end", () => {
  const r = parseSteps("BEGIN\ncreate_point p 0.1 0.2\nBEGIN\ncreate_point q 0.3 0.4");
  assert.deepEqual(
    r.steps.map((s) => s.turn),
    [0, 1],
  );
  assert.equal(r.turnCount, 2);
});

test("UNIT coordinates the renderer would refuse are FormatErrors naming the coordinate", () => {
  const text = [
    "BEGIN",
    "create_point p1 1.02 -0.01",
    "create_point p2 5 0.5",
    "create_line l1 0.1 0.2 0.3 -1.5 red",
    "create_circle c1 0.5 0.5 2.5",
    "create_rectangle r1 0.1 0.1 0.2 0.2",
    "END",
  ].join("\n");
  const r = parseSteps(text, StepFormat.STEP_FORMAT_CHARTSKETCHER);
  assert.equal(r.steps.length, 2);
  assert.deepEqual(r.steps[0].action?.kind, { $case: "point", value: { at: { x: 1.02, y: -0.01 } } });
  assert.deepEqual(
    r.errors.map((e) => [e.stepIndex, e.field, cpSlice(text, e.span)]),
    [
      [1, "action.coordinates[0]", "5"],
      [1, "action.coordinates[3]", "-1.5"],
      [1, "action.coordinates[2]", "2.5"],
    ],
  );
  assert.match(r.errors[0].message, /absurd coordinate 5: UNIT allows -1..2/);
  assert.match(r.errors[2].message, /absurd radius 2.5: UNIT allows 0..2/);
});
