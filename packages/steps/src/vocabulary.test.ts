// One name per kind: the words every syntax accepts land on the contract's names, and nothing
// but an own entry of the word list is a kind.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MARK_NAMES, StepFormat } from "@sketchvl/contract";
import { parseSteps } from "./parse";
import { markNameOfWord, SKETCHVL_WORD } from "./vocabulary";

test("each contract mark name is a word for itself, and SketchVL writes a word that reads back as it", () => {
  for (const name of MARK_NAMES) {
    assert.equal(markNameOfWord(name), name);
    assert.equal(markNameOfWord(SKETCHVL_WORD[name]), name);
  }
  assert.deepEqual(Object.keys(SKETCHVL_WORD).sort(), [...MARK_NAMES].sort());
});

test("box, rect and bbox are input words for a rectangle, in any case", () => {
  for (const w of ["box", "Box", " BBOX ", "rect", "Rectangle"]) assert.equal(markNameOfWord(w), "rectangle", w);
  assert.equal(markNameOfWord("arrow"), "line");
  assert.equal(markNameOfWord("hexagon"), undefined);
});

test("Object.prototype's keys are not kinds in any syntax (an error naming the word, not a garbled one)", () => {
  for (const w of ["constructor", "__proto__", "toString", "hasOwnProperty"]) assert.equal(markNameOfWord(w), undefined, w);
  const sketchvl = parseSteps("Intent1: x\nAction1: #Draw constructor, [1,2], Red", StepFormat.STEP_FORMAT_SKETCHVL);
  assert.deepEqual(
    sketchvl.errors.map((e) => [e.field, e.message]),
    [["action.kind", 'unknown action "constructor"; use Box, Line, Point, Circle or Text']],
  );
  const json = parseSteps('{"type": "constructor", "point": [1, 2]}', StepFormat.STEP_FORMAT_JSON);
  assert.deepEqual(
    json.errors.map((e) => e.field),
    ["action.type"],
  );
  const chartsketcher = parseSteps("BEGIN\nconstructor 1 2\nEND", StepFormat.STEP_FORMAT_CHARTSKETCHER);
  assert.deepEqual(
    chartsketcher.errors.map((e) => e.field),
    ["action.kind"],
  );
  assert.match(chartsketcher.errors[0].message, /^unknown command "constructor"/);
});
