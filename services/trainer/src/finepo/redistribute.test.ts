import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type RedistributeStepInput, redistributeAdvantage, signPreservingClip } from "./redistribute";
import { close, throwsField } from "./testHelpers";

const step = fc.record({
  score: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.double({ min: 1, max: 4, noNaN: true })),
  klOffset: fc.oneof(fc.constant(0), fc.double({ min: -0.5, max: 0.5, noNaN: true })),
  tokenLength: fc.integer({ min: 1, max: 256 }),
  excluded: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
});
// `+ 0` turns −0 into 0: Eq. 1 never produces −0, and strict assertions tell them apart.
const coarse = fc.oneof(
  fc.constant(0),
  fc.double({ min: -5, max: 5, noNaN: true }).map((x) => x + 0),
);
const options = fc.record({
  alpha: fc.double({ min: 0, max: 0.999, noNaN: true }),
  beta: fc.double({ min: 1, max: 4, noNaN: true }),
  epsilon: fc.constantFrom(1e-6, 1e-8, 1e-3),
});
const steps = fc.array(step, { minLength: 0, maxLength: 8 });

test("property: sign preserved and bounded by [0, βA] or [βA, 0]", () => {
  fc.assert(
    fc.property(coarse, steps, options, (a, s, o) => {
      const r = redistributeAdvantage(a, s, o);
      for (const x of r.steps) {
        if (a > 0) assert.ok(x.advantage >= 0 && x.advantage <= o.beta * a, `${x.advantage} outside [0, ${o.beta * a}]`);
        else if (a < 0) assert.ok(x.advantage <= 0 && x.advantage >= o.beta * a, `${x.advantage} outside [${o.beta * a}, 0]`);
        else assert.ok(Object.is(x.advantage, 0), `A = 0 but step got ${x.advantage}`);
      }
    }),
  );
});

test("property: before the clip the length-weighted adjustments sum to 0", () => {
  fc.assert(
    fc.property(coarse, steps, options, (a, s, o) => {
      const r = redistributeAdvantage(a, s, o);
      let sum = 0;
      r.steps.forEach((x, j) => {
        if (!s[j].excluded) sum += s[j].tokenLength * (x.unclippedAdvantage - a);
      });
      close(sum, 0, 1e-9, "sum of L_j (A'(s_j) - A)");
    }),
  );
});

test("property: the largest adjustment is α|A| (up to the ε guard)", () => {
  fc.assert(
    fc.property(coarse, steps, options, (a, s, o) => {
      const r = redistributeAdvantage(a, s, o);
      const scored = r.steps.filter((_, j) => !s[j].excluded);
      const maxDev = Math.max(0, ...scored.map((x) => x.deviation));
      if (maxDev === 0) {
        assert.equal(r.kappa, 0);
        return;
      }
      const maxAdj = Math.max(...scored.map((x) => x.unclippedAdvantage - a));
      // α κ Δmax = α|A| Δmax / (Δmax + ε): within α|A| ε / Δmax of α|A|.
      close(maxAdj, o.alpha * Math.abs(a), (o.alpha * Math.abs(a) * o.epsilon) / maxDev + 1e-12, "max adjustment");
    }),
  );
});

test("property: α = 0 is exactly GRPO", () => {
  fc.assert(
    fc.property(coarse, steps, options, (a, s, o) => {
      const r = redistributeAdvantage(a, s, { ...o, alpha: 0 });
      for (const x of r.steps) {
        assert.equal(x.unclippedAdvantage, a);
        assert.equal(x.advantage, a === 0 ? 0 : a);
      }
    }),
  );
});

test("property: equal adjusted scores are exactly GRPO, whatever the lengths", () => {
  fc.assert(
    fc.property(
      coarse,
      fc.double({ min: 1, max: 4, noNaN: true }),
      fc.array(fc.integer({ min: 1, max: 999 }), { minLength: 1, maxLength: 8 }),
      options,
      (a, score, lengths, o) => {
        const s = lengths.map((tokenLength) => ({ score, klOffset: 0, tokenLength, excluded: false }));
        const r = redistributeAdvantage(a, s, o);
        assert.equal(r.kappa, 0);
        for (const x of r.steps) {
          assert.equal(x.deviation, 0);
          assert.equal(x.advantage, a);
        }
      },
    ),
  );
});

test("property: excluded steps keep A and do not move p̄", () => {
  fc.assert(
    fc.property(coarse, steps, step, options, (a, s, extra, o) => {
      const base = redistributeAdvantage(a, s, o);
      const withText = redistributeAdvantage(a, [...s, { ...extra, excluded: true }], o);
      assert.equal(withText.meanAdjustedScore, base.meanAdjustedScore);
      assert.equal(withText.kappa, base.kappa);
      assert.equal(withText.steps[s.length].advantage, a);
    }),
  );
});

test("Eqs. 5–8 by hand", () => {
  // p' = [4, 2], L = [1, 3]: p̄ = 2.5, Δ = [1.5, -0.5], κ = |A| / 1.5.
  const s: RedistributeStepInput[] = [
    { score: 4, klOffset: 0, tokenLength: 1, excluded: false },
    { score: 2, klOffset: 0, tokenLength: 3, excluded: false },
  ];
  const r = redistributeAdvantage(1, s, { alpha: 0.5, beta: 2, epsilon: 0 });
  assert.equal(r.meanAdjustedScore, 2.5);
  close(r.kappa, 1 / 1.5, 1e-15);
  close(r.steps[0].advantage, 1.5, 1e-15);
  close(r.steps[1].advantage, 1 - 0.5 / 3, 1e-15);
  // Failed response: the best step moves toward 0 but never past it.
  const f = redistributeAdvantage(-1, s, { alpha: 0.5, beta: 2, epsilon: 0 });
  close(f.steps[0].advantage, -0.5, 1e-15);
  close(f.steps[1].advantage, -1 - 0.5 / 3, 1e-15);
});

test("the clip binds: a far-below-mean step of a success stops at 0", () => {
  const s: RedistributeStepInput[] = [
    { score: 4, klOffset: 0, tokenLength: 10, excluded: false },
    { score: 1, klOffset: 0, tokenLength: 1, excluded: false },
  ];
  const r = redistributeAdvantage(1, s, { alpha: 0.5, beta: 2, epsilon: 1e-6 });
  assert.ok(r.steps[1].unclippedAdvantage < 0);
  assert.equal(r.steps[1].advantage, 0);
  assert.equal(signPreservingClip(5, 1, 2), 2);
  assert.equal(signPreservingClip(-5, -1, 2), -2);
  assert.equal(signPreservingClip(0.3, -1, 2), 0);
  assert.equal(signPreservingClip(3, 0, 2), 0);
});

test("no scored steps (none, or only excluded) is GRPO", () => {
  const none = redistributeAdvantage(0.4, [], { alpha: 0.5, beta: 2, epsilon: 1e-6 });
  assert.deepEqual(none, { kappa: 0, meanAdjustedScore: 0, steps: [] });
  const textOnly = redistributeAdvantage(-0.4, [{ score: 3, klOffset: 0, tokenLength: 5, excluded: true }], {
    alpha: 0.5,
    beta: 2,
    epsilon: 1e-6,
  });
  assert.equal(textOnly.kappa, 0);
  assert.equal(textOnly.steps[0].advantage, -0.4);
});

test("validation names the field", () => {
  const ok = { score: 3, klOffset: 0, tokenLength: 1, excluded: false };
  const o = { alpha: 0.5, beta: 2, epsilon: 1e-6 };
  throwsField(() => redistributeAdvantage(Number.NaN, [ok], o), "coarse");
  throwsField(() => redistributeAdvantage(1, [ok, { ...ok, score: Number.NaN }], o), "steps[1].score");
  throwsField(() => redistributeAdvantage(1, [{ ...ok, klOffset: Number.POSITIVE_INFINITY }], o), "steps[0].kl_offset");
  throwsField(() => redistributeAdvantage(1, [{ ...ok, tokenLength: 0 }], o), "steps[0].token_length");
  throwsField(() => redistributeAdvantage(1, [{ ...ok, tokenLength: -2 }], o), "steps[0].token_length");
});
