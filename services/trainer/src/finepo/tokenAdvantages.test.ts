import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type TokenStep, tokenAdvantages } from "./tokenAdvantages";
import { throwsField } from "./testHelpers";

type Segment = { type: "gap" | "step" | "excluded" | "image"; length: number; advantage: number };

const segment = fc.record({
  type: fc.constantFrom("gap", "step", "excluded", "image") as fc.Arbitrary<Segment["type"]>,
  length: fc.integer({ min: 0, max: 20 }),
  advantage: fc.double({ min: -3, max: 3, noNaN: true }),
});

/** A valid layout: consecutive segments, so spans never overlap. */
function layout(segments: Segment[], tail: number) {
  const steps: TokenStep[] = [];
  const imageTokenSpans: { start: number; end: number }[] = [];
  const expected: { advantage: number | "coarse"; mask: number }[] = [];
  let cursor = 0;
  for (const s of segments) {
    const span = { start: cursor, end: cursor + s.length };
    cursor += s.length;
    if (s.type === "step") steps.push({ tokenSpan: span, advantage: s.advantage, excluded: false });
    if (s.type === "excluded") steps.push({ tokenSpan: span, advantage: s.advantage, excluded: true });
    if (s.type === "image") imageTokenSpans.push(span);
    for (let t = 0; t < s.length; t++) {
      if (s.type === "step") expected.push({ advantage: s.advantage, mask: 1 });
      else if (s.type === "image") expected.push({ advantage: 0, mask: 0 });
      else expected.push({ advantage: "coarse", mask: 1 });
    }
  }
  for (let t = 0; t < tail; t++) expected.push({ advantage: "coarse", mask: 1 });
  return { steps, imageTokenSpans, tokenCount: cursor + tail, expected };
}

test("property: steps get A(s_j), image tokens 0 and masked, everything else A(y_i)", () => {
  fc.assert(
    fc.property(
      fc.array(segment, { maxLength: 12 }),
      fc.integer({ min: 0, max: 10 }),
      fc.double({ min: -3, max: 3, noNaN: true }).map((x) => x + 0), // −0 → 0: Eq. 1 never yields −0
      (segments, tail, coarse) => {
        const { steps, imageTokenSpans, tokenCount, expected } = layout(segments, tail);
        const { advantages, lossMask } = tokenAdvantages({ tokenCount, coarse, steps, imageTokenSpans });
        assert.equal(advantages.length, tokenCount);
        assert.equal(lossMask.length, tokenCount);
        for (let t = 0; t < tokenCount; t++) {
          const e = expected[t];
          assert.equal(advantages[t], Math.fround(e.advantage === "coarse" ? coarse : e.advantage), `token ${t}`);
          assert.equal(lossMask[t], e.mask, `mask of token ${t}`);
        }
        const masked = imageTokenSpans.reduce((n, s) => n + s.end - s.start, 0);
        assert.equal(
          lossMask.reduce((n, m) => n + m, 0),
          tokenCount - masked,
        );
      },
    ),
  );
});

test("property: any two overlapping non-empty spans are rejected", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 50 }),
      fc.integer({ min: 1, max: 20 }),
      fc.integer({ min: 0, max: 19 }),
      fc.integer({ min: 1, max: 20 }),
      fc.boolean(),
      (start, length, into, otherLength, image) => {
        const first = { start, end: start + length };
        const s2 = start + Math.min(into, length - 1); // starts inside `first`
        const second = { start: s2, end: s2 + otherLength };
        const steps: TokenStep[] = [{ tokenSpan: first, advantage: 1, excluded: false }];
        if (!image) steps.push({ tokenSpan: second, advantage: 2, excluded: false });
        throwsField(
          () => tokenAdvantages({ tokenCount: 100, coarse: 0.5, steps, imageTokenSpans: image ? [second] : [] }),
          image ? "image_token_spans[0]" : "steps[1].token_span",
        );
      },
    ),
  );
});

test("touching spans and empty spans are fine", () => {
  const r = tokenAdvantages({
    tokenCount: 6,
    coarse: 1,
    steps: [
      { tokenSpan: { start: 0, end: 2 }, advantage: 2, excluded: false },
      { tokenSpan: { start: 2, end: 2 }, advantage: 3, excluded: false },
      { tokenSpan: { start: 2, end: 4 }, advantage: 4, excluded: false },
    ],
    imageTokenSpans: [{ start: 4, end: 5 }],
  });
  assert.deepEqual([...r.advantages], [2, 2, 4, 4, 0, 1]);
  assert.deepEqual([...r.lossMask], [1, 1, 1, 1, 0, 1]);
});

test("an excluded (Text) step keeps A(y_i) but its span is still checked", () => {
  const r = tokenAdvantages({
    tokenCount: 3,
    coarse: -1,
    steps: [{ tokenSpan: { start: 0, end: 2 }, advantage: -2, excluded: true }],
    imageTokenSpans: [],
  });
  assert.deepEqual([...r.advantages], [-1, -1, -1]);
  throwsField(
    () =>
      tokenAdvantages({
        tokenCount: 3,
        coarse: -1,
        steps: [{ tokenSpan: { start: 0, end: 2 }, advantage: -1, excluded: true }],
        imageTokenSpans: [{ start: 1, end: 3 }],
      }),
    "image_token_spans[0]",
  );
});

test("validation names the field", () => {
  const step = (start: number, end: number, excluded = false): TokenStep => ({ tokenSpan: { start, end }, advantage: 1, excluded });
  const run =
    (tokenCount: number, steps: TokenStep[], imageTokenSpans = [] as { start: number; end: number }[]) =>
    () =>
      tokenAdvantages({ tokenCount, coarse: 0, steps, imageTokenSpans });
  throwsField(run(-1, []), "token_count");
  throwsField(run(2.5, []), "token_count");
  throwsField(run(10, [step(3, 2)]), "steps[0].token_span");
  throwsField(run(10, [step(-1, 2)]), "steps[0].token_span.start");
  throwsField(run(10, [step(0, 1.5)]), "steps[0].token_span.end");
  throwsField(run(10, [step(0, 11)]), "steps[0].token_span.end");
  throwsField(run(10, [step(0, 4), step(2, 6)]), "steps[1].token_span");
  throwsField(run(10, [step(0, 4)], [{ start: 9, end: 12 }]), "image_token_spans[0].end");
  throwsField(
    run(
      10,
      [step(0, 4)],
      [
        { start: 8, end: 10 },
        { start: 9, end: 10 },
      ],
    ),
    "image_token_spans[1]",
  );
  throwsField(run(10, [{ advantage: 1, excluded: false }]), "steps[0].token_span");
  throwsField(run(10, [{ tokenSpan: { start: 0, end: 1 }, advantage: Number.NaN, excluded: false }]), "steps[0].advantage");
  // An excluded step needs no span.
  assert.equal(tokenAdvantages({ tokenCount: 1, coarse: 0, steps: [{ advantage: 0, excluded: true }], imageTokenSpans: [] }).advantages.length, 1);
});
