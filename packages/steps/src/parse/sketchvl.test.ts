import { test } from "node:test";
import assert from "node:assert/strict";
import { CoordinateSpace, StepFormat } from "@sketchvl/contract";
import { parseSteps } from "./index";
import { cpSlice } from "./spansTestHelpers";

const RESPONSE = [
  "Deduction1: The legend 🎨 lists FDI first;",
  "it is blue.",
  "Intent1: Box the FDI legend entry",
  "Action1: #Draw Box, [120, 80, 300, 410], Red",
  "Intent2: 标出 the 2019 bar",
  "Action2: #Draw Line, [500,100,500,900], blue",
  "Answer: 42",
].join("\n");

test("SketchVL steps: fields, y-first coordinates, spans in code points", () => {
  const r = parseSteps(RESPONSE);
  assert.equal(r.format, StepFormat.STEP_FORMAT_SKETCHVL);
  assert.deepEqual(r.errors, []);
  assert.equal(r.steps.length, 2);
  const [a, b] = r.steps;
  assert.equal(a.index, 0);
  assert.equal(a.turn, 0);
  assert.equal(a.intent, "Box the FDI legend entry");
  assert.equal(a.deduction, "The legend 🎨 lists FDI first;\nit is blue.");
  assert.deepEqual(a.action, {
    kind: { $case: "rectangle", value: { corner1: { y: 120, x: 80 }, corner2: { y: 300, x: 410 } } },
    color: "Red",
    space: CoordinateSpace.COORDINATE_SPACE_NORM_1000,
  });
  assert.equal(cpSlice(RESPONSE, a.intentSpan), "Box the FDI legend entry");
  assert.equal(cpSlice(RESPONSE, a.actionSpan), "#Draw Box, [120, 80, 300, 410], Red");
  assert.ok(cpSlice(RESPONSE, a.span).startsWith("Deduction1: The legend 🎨"));
  assert.ok(cpSlice(RESPONSE, a.span).endsWith("Red"));
  assert.equal(cpSlice(RESPONSE, b.intentSpan), "标出 the 2019 bar");
  assert.equal(cpSlice(RESPONSE, b.span), "Intent2: 标出 the 2019 bar\nAction2: #Draw Line, [500,100,500,900], blue");
  assert.deepEqual(b.action?.kind, { $case: "line", value: { start: { y: 500, x: 100 }, end: { y: 500, x: 900 } } });
  assert.equal(r.answer, "42");
  assert.equal(cpSlice(RESPONSE, r.answerSpan), "42");
  assert.equal(r.turnCount, 1);
});

test("all kinds, default color, text with and without quotes", () => {
  const text = [
    "Intent1: p",
    "Action1: #Draw Point, [250, 750]",
    "Intent2: c",
    "Action2: #Draw Circle, [500, 500, 80], Green",
    "Intent3: t",
    'Action3: #Draw Text, [100, 200], "max = 3.5", Black',
    "Intent4: t2",
    "Action4: #Draw Text, [100, 200], Peak here, #00ff00",
    "Intent5: r",
    "Action5: #Draw Rectangle [1,2,3,4] #abc",
  ].join("\n");
  const r = parseSteps(text, StepFormat.STEP_FORMAT_SKETCHVL);
  assert.deepEqual(r.errors, []);
  const kinds = r.steps.map((s) => s.action?.kind);
  assert.deepEqual(kinds[0], { $case: "point", value: { at: { y: 250, x: 750 } } });
  assert.equal(r.steps[0].action?.color, "");
  assert.deepEqual(kinds[1], { $case: "circle", value: { center: { y: 500, x: 500 }, radius: 80 } });
  assert.deepEqual(kinds[2], { $case: "text", value: { at: { y: 100, x: 200 }, text: "max = 3.5" } });
  assert.equal(r.steps[2].action?.color, "Black");
  assert.deepEqual(kinds[3], { $case: "text", value: { at: { y: 100, x: 200 }, text: "Peak here" } });
  assert.equal(r.steps[3].action?.color, "#00ff00");
  assert.equal(kinds[4]?.$case, "rectangle");
  assert.equal(r.steps[4].action?.color, "#abc");
});

test("malformed steps become FormatErrors beside the good ones, numbered in order", () => {
  const text = [
    "Intent1: ok",
    "Action1: #Draw Box, [1,2,3,4], Red",
    "Intent2: too few",
    "Action2: #Draw Box, [1,2,3], Red",
    "Intent3: not a number",
    "Action3: #Draw Line, [1, two, 3, 4]",
    "Intent4: NaN",
    "Action4: #Draw Point, [NaN, 5]",
    "Intent5: unknown kind",
    "Action5: #Draw Hexagon, [1,2]",
    "Intent6: unknown color",
    "Action6: #Draw Point, [1,2], Octarine",
    "Intent7: no action",
    "Intent8: ok again",
    "Action8: #Draw Point, [5,6]",
    "Intent9: missing coordinates",
    "Action9: #Draw Line, Red",
  ].join("\n");
  const r = parseSteps(text);
  assert.equal(r.steps.length, 2);
  assert.deepEqual(
    r.steps.map((s) => s.intent),
    ["ok", "ok again"],
  );
  assert.deepEqual(
    r.steps.map((s) => s.index),
    [0, 1],
  );
  const errs = r.errors.map((e) => [e.stepIndex, e.field, cpSlice(text, e.span)]);
  assert.deepEqual(errs, [
    [1, "action.coordinates", "[1,2,3]"],
    [1, "action.coordinates[1]", "two"],
    [1, "action.coordinates[0]", "NaN"],
    [1, "action.kind", "Hexagon"],
    [1, "action.color", "Octarine"],
    [1, "action", "Intent7: no action"],
    [2, "action.coordinates", "Line, Red"],
  ]);
  assert.match(r.errors[0].message, /rectangle needs 4 numbers \[y1,x1,y2,x2\], got 3/);
  assert.match(r.errors[2].message, /not a finite number/);
  assert.match(r.errors[4].message, /unknown color "Octarine"/);
});

test("turns: image markers split turns; a vision block is one marker", () => {
  const text = [
    "Intent1: a",
    "Action1: #Draw Box, [1,2,3,4]",
    "Intent2: b",
    "Action2: #Draw Point, [1,2]",
    "<|vision_start|><|image_pad|><|image_pad|>\n<|image_pad|><|vision_end|>",
    "Deduction3: now 👀",
    "Intent3: c",
    "Action3: #Draw Line, [1,2,3,4], Blue",
    "<image>",
    "<image>",
    "Answer: **Yes**",
  ].join("\n");
  const r = parseSteps(text);
  assert.deepEqual(
    r.steps.map((s) => s.turn),
    [0, 0, 1],
  );
  assert.equal(r.steps[2].deduction, "now 👀");
  assert.equal(r.answer, "Yes");
  assert.equal(cpSlice(text, r.answerSpan), "Yes");
  assert.equal(r.turnCount, 3);
});

test("several actions for one intent, actions without intents, bare #Draw lines", () => {
  const text = [
    "Intent1: mark both bars",
    "Action1: #Draw Box, [1,2,3,4], Red; #Draw Box, [5,6,7,8], Blue",
    "Action2: #Draw Point, [9,9]",
    "#Draw Circle, [5,5,5]",
    "Intent3: inline one Action3: #Draw Point, [1,1]",
  ].join("\n");
  const r = parseSteps(text);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(
    r.steps.map((s) => s.intent),
    ["mark both bars", "mark both bars", "", "", "inline one"],
  );
  assert.equal(cpSlice(text, r.steps[0].actionSpan), "#Draw Box, [1,2,3,4], Red");
  assert.equal(cpSlice(text, r.steps[1].actionSpan), "#Draw Box, [5,6,7,8], Blue");
  assert.equal(cpSlice(text, r.steps[1].span), "#Draw Box, [5,6,7,8], Blue");
  assert.equal(r.steps[2].intentSpan, undefined);
  assert.equal(r.steps[3].action?.kind?.$case, "circle");
  assert.equal(cpSlice(text, r.steps[4].intentSpan), "inline one");
  assert.equal(cpSlice(text, r.steps[4].span), "Intent3: inline one Action3: #Draw Point, [1,1]");
});

test("markdown-decorated labels and <answer> tags", () => {
  const text = "**Intent1:** Circle it\n**Action1:** #Draw Circle, [10, 20, 30], Green\n<answer> 1.5 </answer>";
  const r = parseSteps(text);
  assert.equal(r.steps.length, 1);
  assert.equal(r.steps[0].intent, "Circle it");
  assert.equal(r.answer, "1.5");
  assert.equal(cpSlice(text, r.answerSpan), "1.5");
});

test("never throws on garbage", () => {
  for (const text of ["", "Action", "Action1:", "Intent1:\nAction1: #Draw", "Action1: #Draw Box, [", 'Action1: {"type": ', "\u0000\ud800"]) {
    const r = parseSteps(text, StepFormat.STEP_FORMAT_SKETCHVL);
    assert.equal(r.steps.length, 0, JSON.stringify(text));
  }
});

test("coordinates the renderer would refuse are FormatErrors naming the coordinate; others still parse", () => {
  const text = [
    "Intent1: ok, a little outside is clamped by the renderer",
    "Action1: #Draw Box, [-5, 0, 1003, 2000], Red",
    "Intent2: absurd",
    "Action2: #Draw Box, [100, 200, 5000, 400], Red",
    "Intent3: too far negative",
    "Action3: #Draw Point, [-1001, 5]",
    "Intent4: radius too big",
    "Action4: #Draw Circle, [500, 500, 2001], Blue",
    "Intent5: negative radius",
    "Action5: #Draw Circle, [500, 500, -3], Blue",
    "Intent6: overflows to Infinity",
    "Action6: #Draw Line, [1, 2, 3, 1e999]",
    "Intent7: ok",
    "Action7: #Draw Point, [5, 6]",
  ].join("\n");
  const r = parseSteps(text);
  assert.deepEqual(
    r.steps.map((s) => s.intent),
    ["ok, a little outside is clamped by the renderer", "ok"],
  );
  assert.deepEqual(
    r.errors.map((e) => [e.stepIndex, e.field, cpSlice(text, e.span)]),
    [
      [1, "action.coordinates[2]", "5000"],
      [1, "action.coordinates[0]", "-1001"],
      [1, "action.coordinates[2]", "2001"],
      [1, "action.coordinates[2]", "-3"],
      [1, "action.coordinates[3]", "1e999"],
    ],
  );
  assert.match(r.errors[0].message, /coordinate 3 of \[y1,x1,y2,x2\]: absurd coordinate 5000: NORM_1000 allows -1000..2000/);
  assert.match(r.errors[2].message, /absurd radius 2001/);
  assert.match(r.errors[3].message, /negative/);
});
