import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { coarseAdvantages } from "./coarseAdvantage";
import { close, throwsField } from "./testHelpers";

const plain = { normalizeStd: false, epsilon: 1e-6 };

test("Eq. 1: reward minus the group mean, no std division", () => {
  assert.deepEqual([...coarseAdvantages([1, 0, 0, 1], plain)], [0.5, -0.5, -0.5, 0.5]);
  const a = coarseAdvantages([1, 0, 0], plain);
  close(a[0], 2 / 3, 1e-15);
  close(a[1], -1 / 3, 1e-15);
});

test("k = 1 gives 0 (no baseline but itself)", () => {
  assert.deepEqual([...coarseAdvantages([0.7], plain)], [0]);
  assert.deepEqual([...coarseAdvantages([0.7], { normalizeStd: true, epsilon: 1e-6 })], [0]);
});

test("all-equal rewards give exactly 0, even where the mean would round", () => {
  for (const r of [0.1, 1 / 3, 1e6 + 0.1, -7.3]) {
    const a = coarseAdvantages([r, r, r, r, r, r, r], plain);
    assert.ok(
      a.every((x) => Object.is(x, 0)),
      `${r}: ${[...a]}`,
    );
  }
});

test("normalizeStd divides by the sample std + epsilon", () => {
  const a = coarseAdvantages([1, 0, 0, 1], { normalizeStd: true, epsilon: 0 });
  const std = Math.sqrt((4 * 0.25) / 3);
  close(a[0], 0.5 / std, 1e-12);
  close(a[1], -0.5 / std, 1e-12);
});

test("property: advantages sum to 0 and keep the reward order", () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 32 }), (rewards) => {
      const a = coarseAdvantages(rewards, plain);
      close(
        a.reduce((s, x) => s + x, 0),
        0,
        1e-9,
      );
      for (let i = 0; i < rewards.length; i++) {
        for (let j = 0; j < rewards.length; j++) if (rewards[i] > rewards[j]) assert.ok(a[i] >= a[j]);
      }
    }),
  );
});

test("validation names the field", () => {
  throwsField(() => coarseAdvantages([], plain), "rewards");
  throwsField(() => coarseAdvantages([1, Number.NaN], plain), "rewards[1]");
  throwsField(() => coarseAdvantages([Number.NEGATIVE_INFINITY], plain), "rewards[0]");
});
