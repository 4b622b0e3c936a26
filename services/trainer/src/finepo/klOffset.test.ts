import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { ActionKind } from "@sketchvl/contract";
import { actionDistribution, distributionFromFrequencies, distributionToFrequencies, klOffset, klOffsetTable } from "./klOffset";
import { close, throwsField } from "./testHelpers";

const { ACTION_KIND_POINT: POINT, ACTION_KIND_LINE: LINE, ACTION_KIND_RECTANGLE: RECT } = ActionKind;
const options = { lambdaKl: 0.25, gamma: 0.25, epsilon: 1e-6 };

test("Eq. 3 by hand: an over-used kind is penalized, an under-used one rewarded", () => {
  const prior = new Map([
    [POINT, 0.5],
    [RECT, 0.5],
  ]);
  const current = new Map([
    [POINT, 0.4],
    [RECT, 0.6],
  ]);
  close(klOffset(RECT, prior, current, options), -0.25 * Math.log((0.6 + 1e-6) / (0.5 + 1e-6)), 1e-15);
  close(klOffset(POINT, prior, current, options), -0.25 * Math.log((0.4 + 1e-6) / (0.5 + 1e-6)), 1e-15);
});

test("kinds absent from the prior and an empty window give 0", () => {
  const prior = new Map([[POINT, 1]]);
  assert.equal(klOffset(LINE, prior, new Map([[LINE, 1]]), options), 0);
  assert.equal(klOffset(POINT, prior, new Map(), options), 0);
  assert.equal(klOffset(POINT, new Map(), new Map([[POINT, 1]]), options), 0);
});

test("a kind in the window's absence is under-used (bonus, clipped at gamma)", () => {
  const prior = new Map([
    [POINT, 0.5],
    [LINE, 0.5],
  ]);
  assert.equal(klOffset(LINE, prior, new Map([[POINT, 1]]), options), 0.25);
});

test("lambda = 0 gives a plain +0", () => {
  const o = klOffset(POINT, new Map([[POINT, 0.1]]), new Map([[POINT, 0.9]]), { ...options, lambdaKl: 0 });
  assert.ok(Object.is(o, 0));
});

const frequency = fc.double({ min: 0, max: 1, noNaN: true });

test("property: sign follows over/under-use and |offset| <= gamma", () => {
  fc.assert(
    fc.property(
      fc.double({ min: 1e-4, max: 1, noNaN: true }),
      frequency,
      fc.double({ min: 0, max: 2, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (q, p, lambdaKl, gamma) => {
        const o = klOffset(RECT, new Map([[RECT, q]]), new Map([[RECT, p]]), { lambdaKl, gamma, epsilon: 1e-6 });
        assert.ok(Math.abs(o) <= gamma, `|${o}| > ${gamma}`);
        if (p > q) assert.ok(o <= 0, `over-used got ${o}`);
        if (p < q) assert.ok(o >= 0, `under-used got ${o}`);
        if (p === q) assert.equal(o, 0);
        if (lambdaKl >= 1e-3 && gamma >= 1e-3 && Math.abs(p - q) > 1e-3) assert.notEqual(o, 0);
      },
    ),
  );
});

test("the offset table agrees with klOffset for every kind", () => {
  const prior = new Map([
    [POINT, 0.3],
    [LINE, 0.3],
    [RECT, 0.4],
  ]);
  const current = new Map([
    [POINT, 0.1],
    [RECT, 0.9],
  ]);
  const table = klOffsetTable(prior, current, options);
  for (const kind of [POINT, LINE, RECT, ActionKind.ACTION_KIND_CIRCLE]) {
    assert.equal(table[kind], klOffset(kind, prior, current, options));
  }
});

test("actionDistribution normalises counts; nothing counted is empty", () => {
  const d = actionDistribution(
    new Map([
      [POINT, 1],
      [RECT, 3],
      [LINE, 0],
    ]),
  );
  assert.deepEqual(
    [...d.entries()],
    [
      [POINT, 0.25],
      [RECT, 0.75],
    ],
  );
  assert.equal(actionDistribution(new Map([[POINT, 0]])).size, 0);
  throwsField(() => actionDistribution(new Map([[POINT, -1]])), "counts.ACTION_KIND_POINT");
  throwsField(() => actionDistribution(new Map([[ActionKind.ACTION_KIND_UNSPECIFIED, 1]])), "counts");
});

test("wire lists: normalised, validated with field paths, stable order", () => {
  const d = distributionFromFrequencies(
    [
      { kind: RECT, frequency: 3 },
      { kind: POINT, frequency: 1 },
      { kind: LINE, frequency: 0 },
    ],
    "prior",
  );
  assert.deepEqual(distributionToFrequencies(d), [
    { kind: POINT, frequency: 0.25 },
    { kind: LINE, frequency: 0 },
    { kind: RECT, frequency: 0.75 },
  ]);
  assert.equal(distributionFromFrequencies([], "current").size, 0);
  throwsField(
    () =>
      distributionFromFrequencies(
        [
          { kind: POINT, frequency: 1 },
          { kind: POINT, frequency: 1 },
        ],
        "prior",
      ),
    "prior[1].kind",
  );
  throwsField(() => distributionFromFrequencies([{ kind: POINT, frequency: Number.NaN }], "prior"), "prior[0].frequency");
  throwsField(() => distributionFromFrequencies([{ kind: POINT, frequency: -0.5 }], "current"), "current[0].frequency");
  throwsField(() => distributionFromFrequencies([{ kind: 0 as ActionKind, frequency: 1 }], "prior"), "prior[0].kind");
  throwsField(() => distributionFromFrequencies([{ kind: POINT, frequency: 0 }], "prior"), "prior");
});
