import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Rollout } from "@sketchvl/contract";
import { generateExample } from "@sketchvl/chartworld";
import { SPECIAL_TOKENS, loadVocabulary } from "@sketchvl/policy-model";
import { ClientError, Status } from "nice-grpc";
import { ablationTable, type ArmResult } from "./ablation";
import { retryUnavailable } from "./retry";
import { promptBatch } from "./prompts";
import type { EvalRecord } from "./runState";
import { expertCompletion, imageIndexOf, rolloutSequence } from "./sequences";

const { eot, eos, image } = SPECIAL_TOKENS;

describe("RL loop data", () => {
  it("gives each token the image fed back most recently (the marker itself sees the new one)", () => {
    assert.deepEqual(imageIndexOf([1, 9, 9, eot, image, 9, eot, image, 9, eos]), [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
  });

  it("writes an expert trajectory as turns: one step each, <eot> <image> between, <eos> after the answer", async () => {
    const ex = await generateExample(3);
    assert.ok(ex);
    const tokenizer = loadVocabulary();
    const trajectory = ex.trajectories[0];
    const ids = expertCompletion(tokenizer, trajectory);
    assert.equal(ids[ids.length - 1], eos);
    assert.equal(ids.filter((t) => t === image).length, trajectory.steps.length);
    ids.forEach((t, i) => {
      t === image && assert.equal(ids[i - 1], eot);
    });
    const text = tokenizer.decode(ids);
    assert.ok(text.endsWith(`Answer: ${trajectory.answer}`), text);
    assert.equal(text.split("<image>").length, trajectory.steps.length + 1);
  });

  it("builds an RL sequence from a rollout, refusing one that cannot be trained on", () => {
    const input = Buffer.alloc(12);
    const rollout = {
      index: 0,
      promptTokenIds: [1, 7],
      tokenIds: [8, eot, image, 9, eos],
      logprobs: [-1, -0.5, 0, -2, -0.1],
      lossMask: [true, true, false, true, true],
      turns: [{ modelInput: input }, { modelInput: input }],
    } as unknown as Rollout;
    const seq = rolloutSequence(rollout, [0.5, 0.5, 0, -1, -1], [true, false, true, true, true]);
    assert.deepEqual(seq.tokens, [1, 7, 8, eot, image, 9, eos]);
    assert.deepEqual(seq.imageIndex, [0, 0, 0, 0, 1, 1, 1]);
    assert.equal(seq.completionStart, 2);
    assert.equal(seq.images.length, 2);
    // In the loss only where the policy sampled the token and the reward service did not mask it.
    assert.deepEqual(seq.lossMask, [true, false, false, true, true]);
    assert.throws(() => rolloutSequence(rollout, [0, 0], []), /2 advantages for 5 tokens/);
    const noInputs = { ...rollout, turns: [{ modelInput: Buffer.alloc(0) }] } as unknown as Rollout;
    assert.throws(() => rolloutSequence(noInputs, [0, 0, 0, 0, 0], []), /return_model_inputs/);
  });

  it("orders prompts by seed and update number alone, each epoch a permutation of all", () => {
    const items = [...Array(10).keys()];
    const firstEpoch = [0, 1, 2, 3, 4].flatMap((u) => promptBatch(items, 7, u, 2));
    assert.deepEqual(
      [...firstEpoch].sort((a, b) => a - b),
      items,
    );
    assert.deepEqual(promptBatch(items, 7, 3, 2), promptBatch([...items], 7, 3, 2));
    assert.notDeepEqual(
      [0, 1, 2, 3, 4].flatMap((u) => promptBatch(items, 8, u, 2)),
      firstEpoch,
    );
  });
});

describe("ablation table", () => {
  const evals = (accuracies: number[]): EvalRecord[] =>
    accuracies.map((accuracy, i) => ({
      update: i * 10,
      policyVersion: String(i + 1),
      accuracy,
      perceptionAccuracy: accuracy,
      reasoningAccuracy: accuracy,
      meanDetail: Number.NaN,
      questions: 100,
      responses: 100,
      reward: accuracy,
      meanProcessScore: 2 + accuracy,
      meanReferenceScore: 1.5,
      referenceCoverage: 0.5,
      stepsPerResponse: 3,
      actionMix: { rectangle: 0.5, line: 0.5 },
      masked: 0,
      formatFailures: 0,
    }));
  const arm = (name: string, seed: number, accuracies: number[]): ArmResult => ({
    arm: name,
    seed,
    result: { state: { phase: "done", updates: 20, policyVersion: 3, checkpoint: "", sftUpdates: 1 }, history: [], evaluations: evals(accuracies), folder: "" },
  });

  it("reports each arm's final accuracy as mean ± half the spread over seeds, and when it reached GRPO's", () => {
    const table = ablationTable(
      [
        arm("sft", 1, [0.1]),
        arm("grpo", 1, [0.1, 0.2, 0.3]),
        arm("finepo", 1, [0.1, 0.3, 0.4]),
        arm("grpo", 2, [0.1, 0.2, 0.1]),
        arm("finepo", 2, [0.1, 0.1, 0.1]),
      ],
      ["grpo", "finepo"],
    );
    const rows = table.split("\n");
    assert.match(rows[2], /^\| sft \| 10\.0 \|/);
    assert.match(rows[3], /^\| grpo \| 20\.0 ± 10\.0 \|/);
    assert.match(rows[4], /^\| finepo \| 25\.0 ± 15\.0 \|/);
    // finepo reached GRPO's final accuracy at update 10 with seed 1 (0.3 >= 0.3) and at 0 with seed 2 (0.1 >= 0.1).
    assert.match(rows[4], /\| 10 \/ 0 \|$/);
  });
});

describe("RL loop calls", () => {
  it("repeat on UNAVAILABLE a bounded number of times, and fail at once on anything else", async () => {
    let calls = 0;
    const flaky = async () => {
      if (++calls < 3) throw new ClientError("/x", Status.UNAVAILABLE, "restarting");
      return "ok";
    };
    assert.equal(await retryUnavailable(flaky, { firstDelayMs: 1 }), "ok");
    assert.equal(calls, 3);
    calls = 0;
    const down = async () => {
      calls++;
      throw new ClientError("/x", Status.UNAVAILABLE, "down");
    };
    await assert.rejects(retryUnavailable(down, { attempts: 3, firstDelayMs: 1 }), /down/);
    assert.equal(calls, 3);
    calls = 0;
    const invalid = async () => {
      calls++;
      throw new ClientError("/x", Status.INVALID_ARGUMENT, "bad");
    };
    await assert.rejects(retryUnavailable(invalid, { firstDelayMs: 1 }), /bad/);
    assert.equal(calls, 1);
  });
});
