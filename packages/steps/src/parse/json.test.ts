import { test } from "node:test";
import assert from "node:assert/strict";
import { CoordinateSpace, StepFormat } from "@sketchvl/contract";
import { parseSteps } from "./index";
import { cpSlice } from "./spansTestHelpers";

test("JSON action objects in prose, with intents, colors and spans", () => {
  const text = [
    "I look at the legend 🎨 first.",
    '{"type": "rectangle", "bbox": [120, 80, 300, 410], "color": "Red", "intent": "Box the 图例"}',
    "Then the line:",
    '```json\n{"type":"line","line":[500,100,500,900]}\n```',
    '{"type":"circle","center":[10,20],"radius":30,"color":"blue"}',
    '{"type":"text","point":[1,2],"text":"hi {there}"}',
    '{"type":"point","point":[5,6]}',
    "<answer>B</answer>",
  ].join("\n");
  const r = parseSteps(text, StepFormat.STEP_FORMAT_JSON);
  assert.deepEqual(r.errors, []);
  assert.equal(r.steps.length, 5);
  const [box, line, circle, label, point] = r.steps;
  assert.deepEqual(box.action, {
    kind: { $case: "rectangle", value: { corner1: { y: 120, x: 80 }, corner2: { y: 300, x: 410 } } },
    color: "Red",
    space: CoordinateSpace.COORDINATE_SPACE_NORM_1000,
  });
  assert.equal(box.intent, "Box the 图例");
  assert.equal(cpSlice(text, box.intentSpan), "Box the 图例");
  assert.ok(cpSlice(text, box.span).startsWith('{"type": "rectangle"'));
  assert.ok(cpSlice(text, box.span).endsWith("}"));
  assert.equal(cpSlice(text, line.span), '{"type":"line","line":[500,100,500,900]}');
  assert.equal(line.intent, "");
  assert.equal(line.intentSpan, undefined);
  assert.deepEqual(circle.action?.kind, { $case: "circle", value: { center: { y: 10, x: 20 }, radius: 30 } });
  assert.deepEqual(label.action?.kind, { $case: "text", value: { at: { y: 1, x: 2 }, text: "hi {there}" } });
  assert.deepEqual(point.action?.kind, { $case: "point", value: { at: { y: 5, x: 6 } } });
  assert.equal(r.answer, "B");
  assert.equal(r.turnCount, 1);
});

test("wrappers are searched, objects without type are ignored", () => {
  const text = '{"steps": [{"type":"point","point":[1,2]}, {"type":"point","point":[3,4]}]} {"note": 1}';
  const r = parseSteps(text, StepFormat.STEP_FORMAT_JSON);
  assert.equal(r.steps.length, 2);
  assert.deepEqual(r.errors, []);
  // A broken wrapper (trailing comma) still yields its valid inner objects.
  const broken = parseSteps('{"steps": [{"type":"point","point":[1,2]},],}', StepFormat.STEP_FORMAT_JSON);
  assert.equal(broken.steps.length, 1);
});

test("malformed JSON steps become FormatErrors naming the key", () => {
  const text = [
    '{"type":"point","point":[1,2]}',
    '{"type":"rectangle","bbox":[1,2,3]}',
    '{"type":"line","line":[1,"x",3,4]}',
    '{"type":"hexagon","point":[1,2]}',
    '{"type":"point","point":[1,2],"color":"octarine"}',
    '{"type":"circle","center":[1,2]}',
    "{'type': 'point', 'point': [1, 2]}",
    '{"type":"text","point":[1,2]}',
    '{"type":"point","point":[7,8]}',
    '{"type":"point", "point": [1',
  ].join("\n");
  const r = parseSteps(text, StepFormat.STEP_FORMAT_JSON);
  assert.equal(r.steps.length, 2);
  assert.deepEqual(
    r.errors.map((e) => [e.stepIndex, e.field]),
    [
      [1, "action.bbox"],
      [1, "action.line[1]"],
      [1, "action.type"],
      [1, "action.color"],
      [1, "action.radius"],
      [1, "action"],
      [1, "action.text"],
      [2, "action"],
    ],
  );
  assert.equal(cpSlice(text, r.errors[0].span), '{"type":"rectangle","bbox":[1,2,3]}');
  assert.match(r.errors[7].message, /unterminated/);
});

test("turns follow image markers", () => {
  const text = '{"type":"point","point":[1,2]}\n<image>\n{"type":"point","point":[3,4]}\nAnswer: 7';
  const r = parseSteps(text);
  assert.equal(r.format, StepFormat.STEP_FORMAT_JSON);
  assert.deepEqual(
    r.steps.map((s) => s.turn),
    [0, 1],
  );
  assert.equal(r.turnCount, 2);
});

test("pathological braces are handled quickly", () => {
  const text = `${"{".repeat(50_000)}"type"`;
  const t0 = Date.now();
  const r = parseSteps(text, StepFormat.STEP_FORMAT_JSON);
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(r.steps.length, 0);
});

test("non-finite and absurd JSON coordinates are FormatErrors naming the key and index", () => {
  const text = [
    '{"type":"point","point":[1e999, 5]}',
    '{"type":"line","line":[1, 2, 3, -1e999]}',
    '{"type":"rectangle","bbox":[0, 0, 2001, 10]}',
    '{"type":"circle","center":[10,20],"radius":1e999}',
    '{"type":"circle","center":[10,-1500],"radius":5}',
    '{"type":"point","point":[1003, -2]}',
  ].join("\n");
  const r = parseSteps(text, StepFormat.STEP_FORMAT_JSON);
  assert.equal(r.steps.length, 1);
  assert.deepEqual(r.steps[0].action?.kind, { $case: "point", value: { at: { y: 1003, x: -2 } } });
  assert.deepEqual(
    r.errors.map((e) => [e.stepIndex, e.field]),
    [
      [0, "action.point[0]"],
      [0, "action.line[3]"],
      [0, "action.bbox[2]"],
      [0, "action.radius"],
      [0, "action.center[1]"],
    ],
  );
  assert.match(r.errors[0].message, /Infinity, not a finite number/);
  assert.match(r.errors[2].message, /absurd coordinate 2001/);
  assert.match(r.errors[3].message, /radius is Infinity/);
  assert.equal(cpSlice(text, r.errors[0].span), '{"type":"point","point":[1e999, 5]}');
});

test("a 1,000,000-character response with many objects and image markers parses in well under a second", () => {
  // ~27,000 objects, each followed by an image marker: a per-object scan of the markers (or of the
  // text) would be ~10^9 steps; the turn lookup is a binary search. Measured: ~0.16 s (1.5 s before).
  const unit = '{"type":"point","point":[1,2]}<image>';
  const text = unit.repeat(Math.ceil(1_000_000 / unit.length)).slice(0, 1_000_000);
  const t0 = performance.now();
  const r = parseSteps(text, StepFormat.STEP_FORMAT_JSON);
  const ms = performance.now() - t0;
  assert.equal(r.steps.length, Math.floor(1_000_000 / unit.length));
  assert.equal(r.steps[r.steps.length - 1].turn, r.steps.length - 1);
  assert.ok(ms < 1000, `${ms.toFixed(0)} ms for ${r.steps.length} steps`);
});
