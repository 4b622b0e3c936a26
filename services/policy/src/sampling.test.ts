import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SamplingParams } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import { resolveSampling } from "./sampling";

const defaults = { maxTurns: 6, maxTokensPerTurn: 48 };
const base: SamplingParams = { groupSize: 0, maxTurns: 0, maxTokensPerTurn: 0 };

describe("resolveSampling", () => {
  it("fills defaults: one rollout, the model's turns and tokens, temperature 1, top-p 1, a random seed", () => {
    const s = resolveSampling(undefined, defaults);
    assert.deepEqual({ ...s, seed: 0 }, { groupSize: 1, maxTurns: 6, maxTokensPerTurn: 48, temperature: 1, topP: 1, seed: 0 });
    assert.ok(Number.isSafeInteger(s.seed));
    assert.equal(resolveSampling({ ...base, temperature: 0, seed: 7 }, defaults).temperature, 0, "0 is greedy, not unset");
    assert.equal(resolveSampling({ ...base, seed: 7 }, defaults).seed, 7);
  });

  it("every out-of-range field is INVALID_ARGUMENT naming the field and its range", () => {
    const cases: Array<[Partial<SamplingParams>, string, RegExp]> = [
      [{ groupSize: 65 }, "sampling.group_size", /1\.\.64/],
      [{ maxTurns: 9 }, "sampling.max_turns", /1\.\.8/],
      [{ maxTokensPerTurn: 513 }, "sampling.max_tokens_per_turn", /1\.\.512/],
      [{ temperature: -0.1 }, "sampling.temperature", /0 < temperature <= 4/],
      [{ temperature: 4.5 }, "sampling.temperature", /0 < temperature <= 4/],
      [{ temperature: Number.NaN }, "sampling.temperature", /out of range/],
      [{ topP: 0 }, "sampling.top_p", /0 < top_p <= 1/],
      [{ topP: 1.01 }, "sampling.top_p", /0 < top_p <= 1/],
      [{ seed: 2 ** 60 }, "sampling.seed", /out of range/],
    ];
    for (const [change, field, range] of cases) {
      assert.throws(
        () => resolveSampling({ ...base, ...change }, defaults),
        (err: Error) => err instanceof InvalidArgumentError && err.field === field && range.test(err.description),
        JSON.stringify(change),
      );
    }
  });
});
