import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { ActionKind } from "@sketchvl/contract";
import { computeGroupAdvantages, type GroupInput, type StepInput } from "./computeGroup";
import type { ActionDistribution } from "./klOffset";
import { type FinePOSettings, resolveSettings } from "./settings";
import { makeSyntheticGroups, syntheticDistributions } from "./synthetic";
import { close, throwsField } from "./testHelpers";

const { ACTION_KIND_POINT: POINT, ACTION_KIND_LINE: LINE, ACTION_KIND_RECTANGLE: RECT } = ActionKind;
const { ACTION_KIND_CIRCLE: CIRCLE, ACTION_KIND_TEXT: TEXT, ACTION_KIND_CROP: CROP } = ActionKind;
const { prior, current } = syntheticDistributions();

/** Eqs. 1–8 transcribed as literally as possible, with none of the production code's care. */
function reference(group: GroupInput, s: FinePOSettings, P: ActionDistribution, Q: ActionDistribution) {
  const R = group.members.map((m) => m.reward);
  const mean = R.reduce((a, b) => a + b, 0) / R.length;
  return group.members.map((m, i) => {
    const A = R.length === 1 ? 0 : R[i] - mean;
    const scored = m.steps.map((st) => st.kind !== TEXT);
    const O = m.steps.map((st) => {
      if (s.mode === "grpo" || s.mode === "finepo_no_kl") return 0;
      if (st.kind === TEXT || P.size === 0 || !Q.has(st.kind)) return 0;
      const raw = -s.lambdaKl * Math.log(((P.get(st.kind) ?? 0) + s.epsilon) / (Q.get(st.kind)! + s.epsilon));
      return Math.min(s.gamma, Math.max(-s.gamma, raw));
    });
    const L = m.steps.map((st) => st.tokenLength ?? (st.tokenSpan ? Math.max(1, st.tokenSpan.end - st.tokenSpan.start) : 1));
    const p = m.steps.map((st, j) => st.score + O[j]);
    let num = 0;
    let den = 0;
    m.steps.forEach((_, j) => {
      if (scored[j]) {
        num += L[j] * p[j];
        den += L[j];
      }
    });
    const pbar = den > 0 ? num / den : 0;
    const D = p.map((x) => x - pbar);
    const maxPos = Math.max(0, ...D.filter((_, j) => scored[j]));
    const kappa = maxPos > 0 ? Math.abs(A) / (maxPos + s.epsilon) : 0;
    const alpha = s.mode === "grpo" ? 0 : s.alpha;
    const adv = m.steps.map((_, j) => {
      if (!scored[j]) return A;
      const a1 = A + alpha * kappa * D[j];
      if (A > 0) return Math.min(s.beta * A, Math.max(0, a1));
      if (A < 0) return Math.max(s.beta * A, Math.min(0, a1));
      return 0;
    });
    return { A, adv };
  });
}

const kinds = fc.constantFrom(POINT, LINE, RECT, CIRCLE, TEXT, CROP);
const stepArb: fc.Arbitrary<StepInput> = fc.record({
  kind: kinds,
  score: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.double({ min: 1, max: 4, noNaN: true })),
  tokenLength: fc.integer({ min: 1, max: 100 }),
});
const groupArb: fc.Arbitrary<GroupInput> = fc.record({
  members: fc.array(
    fc.record({
      reward: fc.oneof(fc.constantFrom(0, 1), fc.double({ min: -2, max: 2, noNaN: true })),
      steps: fc.array(stepArb, { maxLength: 6 }),
    }),
    { minLength: 1, maxLength: 8 },
  ),
});

test("property: every mode agrees with a literal transcription of Eqs. 1–8", () => {
  fc.assert(
    fc.property(groupArb, fc.constantFrom("finepo", "finepo_no_kl", "grpo", "random_prm" as const), (group, mode) => {
      const s = resolveSettings({ mode: mode as FinePOSettings["mode"] });
      const result = computeGroupAdvantages(group, s, { prior, current, seed: "seed" });
      // random_prm: feed the drawn scores to the reference.
      const used: GroupInput = {
        members: group.members.map((m, i) => ({
          ...m,
          steps: m.steps.map((st, j) => ({ ...st, score: result.members[i].steps[j].score })),
        })),
      };
      const ref = reference(used, s, current, prior);
      result.members.forEach((m, i) => {
        close(m.coarseAdvantage, ref[i].A, 1e-12, `A(y_${i})`);
        m.steps.forEach((st, j) => {
          close(st.advantage, ref[i].adv[j], 1e-9, `A(s_${i},${j})`);
        });
      });
    }),
  );
});

test("GRPO broadcasts A(y_i) to every step and token", () => {
  const [group] = makeSyntheticGroups("grpo", 1, { withTokens: true });
  const r = computeGroupAdvantages(group, resolveSettings({ mode: "grpo" }), { prior, current });
  for (const m of r.members) {
    assert.equal(m.kappa, 0);
    for (const st of m.steps) {
      assert.equal(st.advantage, m.coarseAdvantage);
      assert.equal(st.klOffset, 0);
    }
    m.tokenAdvantages!.forEach((a, t) => {
      assert.equal(a, m.lossMask![t] ? Math.fround(m.coarseAdvantage) : 0);
    });
  }
});

test("finepo_no_kl has zero offsets; finepo has the table's", () => {
  const group: GroupInput = {
    members: [
      {
        reward: 1,
        steps: [
          { kind: RECT, score: 3 },
          { kind: POINT, score: 3 },
        ],
      },
      { reward: 0, steps: [] },
    ],
  };
  const noKl = computeGroupAdvantages(group, resolveSettings({ mode: "finepo_no_kl" }), { prior, current });
  assert.ok(noKl.members[0].steps.every((st) => st.klOffset === 0 && st.advantage === 0.5));
  const kl = computeGroupAdvantages(group, resolveSettings(), { prior, current });
  const [rect, point] = kl.members[0].steps;
  assert.ok(rect.klOffset < 0 && point.klOffset > 0, "rectangles are over-used in the synthetic window");
  assert.ok(point.advantage > rect.advantage);
});

test("random_prm: seeded, reproducible, scores in [1, 4), and a seed is required", () => {
  const [group] = makeSyntheticGroups("rnd", 1);
  const s = resolveSettings({ mode: "random_prm" });
  const a = computeGroupAdvantages(group, s, { prior, current, seed: "req-9" });
  const b = computeGroupAdvantages(group, s, { prior, current, seed: "req-9" });
  const c = computeGroupAdvantages(group, s, { prior, current, seed: "req-10" });
  const scores = (r: typeof a) => r.members.flatMap((m) => m.steps.map((st) => st.score));
  assert.deepEqual(scores(a), scores(b));
  assert.notDeepEqual(scores(a), scores(c));
  assert.ok(scores(a).every((x) => x >= 1 && x < 4));
  throwsField(() => computeGroupAdvantages(group, s, { prior, current }), "request_id");
});

test("k = 1, all-equal rewards, no steps, text-only: all GRPO-like zeros or A", () => {
  const s = resolveSettings();
  const one = computeGroupAdvantages({ members: [{ reward: 1, steps: [{ kind: RECT, score: 4 }] }] }, s, { prior, current });
  assert.equal(one.members[0].coarseAdvantage, 0);
  assert.equal(one.members[0].steps[0].advantage, 0);
  const equal = computeGroupAdvantages(
    {
      members: [0.1, 0.1, 0.1].map((reward) => ({
        reward,
        steps: [
          { kind: RECT, score: 4 },
          { kind: LINE, score: 1 },
        ],
      })),
    },
    s,
    { prior, current },
  );
  for (const m of equal.members) for (const st of m.steps) assert.ok(Object.is(st.advantage, 0));
  const mixed = computeGroupAdvantages(
    {
      members: [
        { reward: 1, steps: [] },
        { reward: 0, steps: [{ kind: TEXT, score: 4 }] },
      ],
    },
    s,
    { prior, current },
  );
  assert.equal(mixed.members[0].coarseAdvantage, 0.5);
  assert.equal(mixed.members[1].steps[0].advantage, -0.5);
  assert.equal(mixed.members[1].steps[0].excluded, true);
  assert.equal(mixed.members[1].kappa, 0);
});

test("token length defaults: given, else span length, else 1", () => {
  const r = computeGroupAdvantages(
    {
      members: [
        {
          reward: 1,
          steps: [
            { kind: RECT, score: 3, tokenLength: 7, tokenSpan: { start: 0, end: 2 } },
            { kind: LINE, score: 3, tokenSpan: { start: 2, end: 7 } },
            { kind: POINT, score: 3, tokenSpan: { start: 7, end: 7 } },
            { kind: CIRCLE, score: 3 },
          ],
        },
      ],
    },
    resolveSettings(),
  );
  assert.deepEqual(
    r.members[0].steps.map((st) => st.tokenLength),
    [7, 5, 1, 1],
  );
});

test("token arrays: per member, views of one group buffer, image tokens masked", () => {
  const [group] = makeSyntheticGroups("tokens", 1, { withTokens: true });
  const r = computeGroupAdvantages(group, resolveSettings(), { prior, current });
  r.members.forEach((m, i) => {
    const input = group.members[i];
    assert.equal(m.tokenAdvantages!.length, input.tokenCount);
    for (const span of input.imageTokenSpans ?? []) {
      for (let t = span.start; t < span.end; t++) assert.equal(m.lossMask![t], 0);
    }
    m.steps.forEach((st) => {
      if (st.excluded || !st.tokenSpan) return;
      for (let t = st.tokenSpan.start; t < st.tokenSpan.end; t++) assert.equal(m.tokenAdvantages![t], Math.fround(st.advantage));
    });
  });
  // Writing one member's view leaves the others alone.
  r.members[0].tokenAdvantages!.fill(99);
  assert.notEqual(r.members[1].tokenAdvantages![0], 99);
});

test("validation names the field, before anything is computed", () => {
  const s = resolveSettings();
  const ok = { kind: RECT, score: 3 };
  const run = (members: GroupInput["members"]) => () => computeGroupAdvantages({ members }, s, { prior, current });
  throwsField(run([]), "members");
  throwsField(
    run([
      { reward: 0, steps: [] },
      { reward: Number.NaN, steps: [] },
    ]),
    "members[1].reward",
  );
  throwsField(run([{ reward: Number.POSITIVE_INFINITY, steps: [] }]), "members[0].reward");
  throwsField(run([{ reward: 0, steps: [ok, ok, { kind: RECT, score: Number.NaN }] }]), "members[0].steps[2].score");
  throwsField(run([{ reward: 0, steps: [{ kind: RECT, score: Number.NEGATIVE_INFINITY }] }]), "members[0].steps[0].score");
  throwsField(run([{ reward: 0, steps: [{ kind: ActionKind.ACTION_KIND_UNSPECIFIED, score: 3 }] }]), "members[0].steps[0].kind");
  throwsField(run([{ reward: 0, steps: [{ kind: ActionKind.UNRECOGNIZED, score: 3 }] }]), "members[0].steps[0].kind");
  throwsField(run([{ reward: 0, steps: [ok, { ...ok, tokenLength: -3 }] }]), "members[0].steps[1].token_length");
  throwsField(run([{ reward: 0, steps: [{ ...ok, tokenLength: Number.NaN }] }]), "members[0].steps[0].token_length");
  throwsField(run([{ reward: 0, steps: [{ ...ok, tokenLength: 0 }] }]), "members[0].steps[0].token_length");
  throwsField(
    run([
      { reward: 0, steps: [] },
      { reward: 0, steps: [], tokenCount: -1 },
    ]),
    "members[1].token_count",
  );
  throwsField(run([{ reward: 0, steps: "x" as never }]), "members[0].steps");
  throwsField(run([{ reward: 0, steps: [{ ...ok, tokenSpan: { start: 5, end: 2 } }] }]), "members[0].steps[0].token_span");
  throwsField(run([{ reward: 0, tokenCount: 4, steps: [{ ...ok, tokenSpan: { start: 0, end: 5 } }] }]), "members[0].steps[0].token_span.end");
  throwsField(run([{ reward: 0, tokenCount: 4, steps: [ok] }]), "members[0].steps[0].token_span");
  throwsField(
    run([{ reward: 0, tokenCount: 9, steps: [{ ...ok, tokenSpan: { start: 0, end: 4 } }], imageTokenSpans: [{ start: 3, end: 6 }] }]),
    "members[0].image_token_spans[0]",
  );
  throwsField(
    run([
      {
        reward: 0,
        tokenCount: 9,
        steps: [
          { ...ok, tokenSpan: { start: 0, end: 4 } },
          { ...ok, tokenSpan: { start: 1, end: 2 } },
        ],
      },
    ]),
    "members[0].steps[1].token_span",
  );
  throwsField(run([{ reward: 0, steps: [], imageTokenSpans: [{ start: -1, end: 2 }] }]), "members[0].image_token_spans[0].start");
});
