import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng, sampleToken } from "./sampler";

const logprobs = (p: number[]) => Float32Array.from(p.map(Math.log));

describe("sampleToken", () => {
  const dist = logprobs([0.05, 0.5, 0.3, 0.15]);

  it("greedy takes the most likely token that may be sampled", () => {
    assert.equal(sampleToken(dist, { temperature: 0, topP: 1, banned: [] }, new Rng(1, 0)), 1);
    assert.equal(sampleToken(dist, { temperature: 0, topP: 1, banned: [1] }, new Rng(1, 0)), 2);
  });

  it("samples in proportion at temperature 1, never a banned token", () => {
    const rng = new Rng(42, 3);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[sampleToken(dist, { temperature: 1, topP: 1, banned: [0] }, rng)]++;
    assert.equal(counts[0], 0);
    const mass = 0.95;
    [0.5, 0.3, 0.15].forEach((p, i) => {
      assert.ok(Math.abs(counts[i + 1] / 20_000 - p / mass) < 0.015, `${counts}`);
    });
  });

  it("top-p keeps the smallest most likely set holding p of the mass", () => {
    const rng = new Rng(7, 0);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(sampleToken(dist, { temperature: 1, topP: 0.75, banned: [] }, rng));
    assert.deepEqual([...seen].sort(), [1, 2]);
  });

  it("high temperature flattens, low temperature sharpens", () => {
    const share = (t: number) => {
      const rng = new Rng(3, 0);
      let top = 0;
      for (let i = 0; i < 5000; i++) top += sampleToken(dist, { temperature: t, topP: 1, banned: [] }, rng) === 1 ? 1 : 0;
      return top / 5000;
    };
    // p^(1/T), normalized: 0.83 of the mass on the top token at T = 0.3, 0.31 at T = 4 (0.5 at T = 1).
    assert.ok(share(0.3) > 0.78 && share(4) < 0.35);
  });

  it("the same seed and stream give the same draws; other streams differ", () => {
    const draw = (seed: number, stream: number) =>
      Array.from(
        { length: 8 },
        (
          (r) => () =>
            r.next()
        )(new Rng(seed, stream)),
      );
    assert.deepEqual(draw(5, 1), draw(5, 1));
    assert.notDeepEqual(draw(5, 1), draw(5, 2));
    assert.notDeepEqual(draw(5, 1), draw(6, 1));
    assert.notDeepEqual(draw(2 ** 40, 1), draw(2 ** 40 + 2 ** 33, 1));
  });
});
