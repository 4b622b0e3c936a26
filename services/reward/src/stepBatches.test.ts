import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type StepScore, type StepToScore, PrmLabel } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import { StepBatches } from "./stepBatches";

const step = (id: string, intent = "Box the FDI legend entry"): StepToScore => ({
  id,
  intent,
  action: undefined,
  before: undefined,
  after: undefined,
  reference: undefined,
});

/** A PRM call that scores a step by its intent's length, refuses intents saying "refuse", and records its calls. */
function prmCalls() {
  const calls: string[][] = [];
  const call = async (steps: StepToScore[]): Promise<StepScore[]> => {
    calls.push(steps.map((s) => s.id));
    await new Promise((r) => setTimeout(r, 1));
    const bad = steps.findIndex((s) => s.intent.includes("refuse"));
    if (bad >= 0) throw new InvalidArgumentError(`steps[${bad}].intent`, "refused");
    return steps.map((s) => ({
      id: s.id,
      label: PrmLabel.PRM_LABEL_ACCEPTABLE,
      probabilities: [],
      expectedScore: s.intent.length,
      argmaxScore: 3,
      model: "m",
      version: "1",
    }));
  };
  return { call, calls };
}

describe("StepBatches", () => {
  it("sends responses that finish together in one call; each gets its own scores under its own ids, duplicates included", async () => {
    const prm = prmCalls();
    const batches = new StepBatches(prm.call, { windowMs: 5, maxSteps: 100 });
    const [a, b, c] = await Promise.all([
      batches.score([step("x:0", "one"), step("x:1", "three")]),
      batches.score([step("x:0", "fifteen letters")]), // the same id from another response
      batches.score([step("z:0", "four")]),
    ]);
    assert.equal(prm.calls.length, 1, `one call, not ${prm.calls.length}`);
    assert.equal(new Set(prm.calls[0]).size, 4, "the call's ids are unique");
    assert.deepEqual(
      a.map((s) => [s.id, s.expectedScore]),
      [
        ["x:0", 3],
        ["x:1", 5],
      ],
    );
    assert.deepEqual(
      b.map((s) => [s.id, s.expectedScore]),
      [["x:0", 15]],
    );
    assert.deepEqual(
      c.map((s) => [s.id, s.expectedScore]),
      [["z:0", 4]],
    );
  });

  it("retries a failed shared call one response at a time: only the response the PRM refuses fails", async () => {
    const prm = prmCalls();
    const batches = new StepBatches(prm.call, { windowMs: 5, maxSteps: 100 });
    const [good, bad] = await Promise.allSettled([batches.score([step("a:0")]), batches.score([step("b:0", "refuse this")])]);
    assert.equal(good.status, "fulfilled");
    assert.equal(bad.status, "rejected");
    assert.ok((bad as PromiseRejectedResult).reason instanceof InvalidArgumentError);
    assert.deepEqual(prm.calls, [["a:0", "b:0"], ["a:0"], ["b:0"]]);
  });

  it("sends at once when maxSteps are waiting, and later responses in a call of their own", async () => {
    const prm = prmCalls();
    const batches = new StepBatches(prm.call, { windowMs: 1000, maxSteps: 3 });
    const started = performance.now();
    await Promise.all([batches.score([step("a:0"), step("a:1")]), batches.score([step("b:0")])]);
    assert.ok(performance.now() - started < 500, "did not wait for the window");
    const late = batches.score([step("c:0")]);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(prm.calls.length, 1, "the late response waits for its window");
    await Promise.all([late, batches.score([step("d:0"), step("d:1")])]);
    assert.deepEqual(
      prm.calls.map((c) => c.length),
      [3, 3],
    );
  });

  it("with a window of 0, every response is its own call", async () => {
    const prm = prmCalls();
    const batches = new StepBatches(prm.call, { windowMs: 0, maxSteps: 100 });
    await Promise.all([batches.score([step("a:0")]), batches.score([step("b:0")])]);
    assert.deepEqual(prm.calls, [["a:0"], ["b:0"]]);
  });
});
