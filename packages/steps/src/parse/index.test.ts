import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { StepFormat } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import { detectFormat, parseSteps } from "./index";
import { cpSlice } from "./spansTestHelpers";

test("format detection", () => {
  assert.equal(detectFormat("BEGIN\ncreate_point p 0 0\nEND"), StepFormat.STEP_FORMAT_CHARTSKETCHER);
  assert.equal(detectFormat("we create_line here"), StepFormat.STEP_FORMAT_CHARTSKETCHER);
  assert.equal(detectFormat("Action1: #Draw Box, [1,2,3,4]"), StepFormat.STEP_FORMAT_SKETCHVL);
  assert.equal(detectFormat("Action2: something"), StepFormat.STEP_FORMAT_SKETCHVL);
  assert.equal(detectFormat('{"type": "point", "point": [1,2]}'), StepFormat.STEP_FORMAT_JSON);
  assert.equal(detectFormat("just an answer\nAnswer: 3"), StepFormat.STEP_FORMAT_SKETCHVL);
});

test("an explicit format is used as given", () => {
  const text = '{"type": "point", "point": [1,2]}';
  assert.equal(parseSteps(text, StepFormat.STEP_FORMAT_SKETCHVL).steps.length, 0);
  assert.equal(parseSteps(text, StepFormat.STEP_FORMAT_JSON).steps.length, 1);
});

test("a response with only an answer has one turn; an empty one has none", () => {
  const r = parseSteps("The value is 5.\nAnswer: 5");
  assert.equal(r.turnCount, 1);
  assert.equal(r.answer, "5");
  const empty = parseSteps("");
  assert.equal(empty.turnCount, 0);
  assert.equal(empty.answer, "");
  assert.equal(empty.answerSpan, undefined);
});

test("the answer and its span are right when lower-casing changes the text's length", () => {
  const text = "İİİİ chart. <answer>42</answer>";
  const r = parseSteps(text);
  assert.equal(r.answer, "42");
  assert.deepEqual(r.answerSpan, { start: 20, end: 22 });
  assert.equal(cpSlice(text, r.answerSpan), "42");
  // Tags in any case, astral characters before them, an unclosed tag.
  const mixed = "😀İ <ANSWER> x </ANSWER> İ <Answer>İstanbul 😀";
  const m = parseSteps(mixed);
  assert.equal(m.answer, "İstanbul 😀");
  assert.equal(cpSlice(mixed, m.answerSpan), "İstanbul 😀");
});

test("an unknown format value is a caller error", () => {
  assert.throws(
    () => parseSteps("x", StepFormat.UNRECOGNIZED),
    (e: unknown) => e instanceof InvalidArgumentError && e.field === "format",
  );
  assert.throws(
    () => parseSteps("x", 42 as StepFormat),
    (e: unknown) => e instanceof InvalidArgumentError && e.field === "format",
  );
});

test("property: never throws; spans lie inside the text, in order", () => {
  // Text built from the formats' own pieces, so the parsers' paths are actually exercised.
  const piece = fc.constantFrom(
    "Deduction1: ",
    "Intent1: ",
    "Action1: ",
    "#Draw Box, ",
    "#Draw Text, ",
    "[1, 2, 3, 4]",
    "[NaN",
    "]",
    ", Red",
    '"t"',
    "{",
    "}",
    '"type"',
    ': "point"',
    '"point": [1,2]',
    ",",
    "\n",
    "BEGIN\n",
    "END\n",
    "create_point p 0.1 0.2",
    "translate p 1 1",
    "<image>",
    "<|vision_start|>",
    "<|vision_end|>",
    "Answer: ",
    "<answer>",
    "</answer>",
    "<ANSWER>",
    "</Answer>",
    "🎨",
    "画",
    "\ud800",
    " ",
    // Case mapping that changes length ("İ".toLowerCase() is 2 UTF-16 units) and astral characters.
    "İ",
    "İİ",
    "😀",
    "👩‍👩‍👧",
    "ß",
    "42",
  );
  const texts = fc.array(fc.oneof(piece, fc.string({ maxLength: 4 })), { maxLength: 40 }).map((a) => a.join(""));
  fc.assert(
    fc.property(texts, fc.constantFrom(0, 1, 2, 3), (text, format) => {
      const r = parseSteps(text, format as StepFormat);
      const length = Array.from(text).length;
      const ok = (s: { start: number; end: number } | undefined) => !s || (0 <= s.start && s.start <= s.end && s.end <= length);
      for (const s of r.steps) assert.ok(ok(s.span) && ok(s.intentSpan) && ok(s.actionSpan), JSON.stringify(s));
      for (const e of r.errors) assert.ok(ok(e.span), JSON.stringify(e));
      assert.ok(ok(r.answerSpan));
      // The answer is exactly the text at its span (Python-style code-point slicing).
      if (r.answer !== "" || r.answerSpan) assert.equal(r.answer, cpSlice(text, r.answerSpan), JSON.stringify(text));
      // …and a tagged answer's span starts right after the last <answer> tag (any case).
      if (r.answer !== "" && /<answer>/i.test(text)) {
        // (quotes and emphasis around the answer are left out of it)
        const before = cpSlice(text, { start: 0, end: r.answerSpan!.start }).replace(/[*_"'`“”‘’\s]+$/, "");
        assert.equal(before.slice(-8).toLowerCase(), "<answer>", JSON.stringify(text));
        assert.ok(!/<answer>/i.test(cpSlice(text, { start: r.answerSpan!.start, end: length })), JSON.stringify(text));
      }
      r.steps.forEach((s, i) => {
        assert.equal(s.index, i);
      });
    }),
    { numRuns: 500 },
  );
});

test("a long response parses quickly", () => {
  const step = "Deduction1: the bar is tall 📈\nIntent1: box it\nAction1: #Draw Box, [100, 200, 300, 400], Red\n<image>\n";
  const text = step.repeat(400); // ~40 K characters
  const t0 = Date.now();
  const r = parseSteps(text);
  assert.equal(r.steps.length, 400);
  assert.equal(r.turnCount, 400);
  assert.ok(Date.now() - t0 < 1000, `${Date.now() - t0} ms`);
});
