import assert from "node:assert/strict";
import { test } from "node:test";
import { PrmLabel } from "./gen/sketchvl/v1/prm";
import {
  expectedPrmScore,
  mostProbableLabelIndex,
  PRM_LABEL_NAMES,
  PRM_LABEL_SCALE,
  PRM_LABEL_SCORES,
  PRM_MAX_SCORE,
  PRM_MIN_SCORE,
  isAcceptableOrBetter,
  prmLabelIndex,
  prmLabelLevel,
} from "./prmLabels";

test("the scale is the proto enum's four labels, best first, scored 4..1", () => {
  assert.deepEqual(
    PRM_LABEL_SCALE.map((l) => l.label),
    [PrmLabel.PRM_LABEL_EXCELLENT, PrmLabel.PRM_LABEL_ACCEPTABLE, PrmLabel.PRM_LABEL_POOR, PrmLabel.PRM_LABEL_UNACCEPTABLE],
  );
  // Pinned: this order is the ONNX model's output order and ChartWorld's dataset vocabulary.
  assert.deepEqual([...PRM_LABEL_NAMES], ["excellent", "acceptable", "poor", "unacceptable"]);
  assert.deepEqual([...PRM_LABEL_SCORES], [4, 3, 2, 1]);
  assert.equal(PRM_MAX_SCORE, 4);
  assert.equal(PRM_MIN_SCORE, 1);
  for (const l of PRM_LABEL_SCALE) assert.equal(l.word.toLowerCase(), l.name);
});

test("names and enum values find the same level; UNSPECIFIED is not on the scale", () => {
  for (const [i, l] of PRM_LABEL_SCALE.entries()) {
    assert.equal(prmLabelIndex(l.name), i);
    assert.equal(prmLabelIndex(l.label), i);
    assert.equal(prmLabelLevel(l.name), l);
  }
  assert.equal(prmLabelIndex(PrmLabel.PRM_LABEL_UNSPECIFIED), -1);
  assert.throws(() => prmLabelLevel(PrmLabel.UNRECOGNIZED), RangeError);
});

test("expected score weights each probability by its label's score", () => {
  assert.equal(expectedPrmScore([1, 0, 0, 0]), 4);
  assert.equal(expectedPrmScore([0, 0, 0, 1]), 1);
  assert.ok(Math.abs(expectedPrmScore([0.1, 0.2, 0.3, 0.4]) - 2.0) < 1e-12);
  assert.ok(Math.abs(expectedPrmScore(new Float32Array([0.25, 0.25, 0.25, 0.25])) - 2.5) < 1e-6);
  assert.throws(() => expectedPrmScore([1, 0, 0]), RangeError);
});

test("the most probable label: argmax, a tie to the better label", () => {
  assert.equal(mostProbableLabelIndex([0.1, 0.2, 0.6, 0.1]), 2);
  assert.equal(mostProbableLabelIndex([0.4, 0.4, 0.1, 0.1]), 0);
  assert.equal(mostProbableLabelIndex([0, 0, 0, 1]), 3);
});

test("the scale cannot be changed at run time", () => {
  assert.throws(() => (PRM_LABEL_SCALE as PrmLabel[] & unknown[]).push(PrmLabel.PRM_LABEL_POOR as never));
  assert.throws(() => {
    (PRM_LABEL_SCALE[0] as { score: number }).score = 5;
  });
});

test("acceptable or better: the two top labels, never UNSPECIFIED", () => {
  assert.deepEqual(PRM_LABEL_NAMES.map(isAcceptableOrBetter), [true, true, false, false]);
  assert.equal(isAcceptableOrBetter(PrmLabel.PRM_LABEL_ACCEPTABLE), true);
  assert.equal(isAcceptableOrBetter(PrmLabel.PRM_LABEL_UNSPECIFIED), false);
});
