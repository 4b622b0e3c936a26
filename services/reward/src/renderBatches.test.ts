import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ImageRef, RenderTrajectoriesRequest, RenderTrajectoriesResponse, Step } from "@sketchvl/contract";
import { RenderBatches } from "./renderBatches";

const step = (intent: string): Step => ({
  index: 0,
  turn: 0,
  intent,
  action: undefined,
  deduction: "",
  span: undefined,
  intentSpan: undefined,
  actionSpan: undefined,
});
const ref = (digest: string): ImageRef => ({ digest, width: 1, height: 1, image: { source: { $case: "digest", value: digest } } });
const base = { source: { $case: "digest" as const, value: "sha256:base" } };

/**
 * A renderer's RenderTrajectories as a generator: each step's after-image is named by its intent;
 * an intent "refuse" answers that trajectory with a TrajectoryError; `failAfter` ends the whole call
 * with an error after that many messages.
 */
function renderer(failAfter = Infinity) {
  const calls: number[] = [];
  async function* call(request: Pick<RenderTrajectoriesRequest, "baseImage" | "trajectories">): AsyncIterable<RenderTrajectoriesResponse> {
    calls.push(request.trajectories.length);
    let sent = 0;
    for (const [trajectoryIndex, t] of request.trajectories.entries()) {
      for (const [stepIndex, s] of t.steps.entries()) {
        if (sent++ >= failAfter) throw new Error("UNAVAILABLE: connection dropped");
        await new Promise((r) => setTimeout(r, 1));
        if (s.intent === "refuse") {
          yield {
            trajectoryIndex,
            result: { $case: "error", value: { code: "INVALID_ARGUMENT", message: "refused", field: `steps[${stepIndex}].action`, reason: 0 } },
          };
          break;
        }
        yield { trajectoryIndex, result: { $case: "step", value: { stepIndex, beforeDigest: "", after: ref(s.intent) } } };
      }
    }
  }
  return { call, calls };
}

/** What drawing a response on its own gives (the path every failure falls back to), counted. */
function alone(steps: Step[], counter: { n: number }) {
  return async () => {
    counter.n++;
    return steps.map((s) => ref(`alone:${s.intent}`));
  };
}

describe("RenderBatches", () => {
  it("draws responses that arrive together in one call, each getting its own after-images", async () => {
    const r = renderer();
    const batches = new RenderBatches(r.call, base, { windowMs: 5, maxTrajectories: 64 });
    const counter = { n: 0 };
    const trajectories = [["a1", "a2"], ["b1"], ["c1", "c2", "c3"]].map((intents) => intents.map(step));
    const afters = await Promise.all(trajectories.map((steps) => batches.render(steps, alone(steps, counter))));
    assert.deepEqual(r.calls, [3]);
    assert.equal(counter.n, 0);
    assert.deepEqual(
      afters.map((a) => a.map((x) => x.digest)),
      [["a1", "a2"], ["b1"], ["c1", "c2", "c3"]],
    );
  });

  it("sends a trajectory the renderer refuses on its own, so its error keeps its type and its response; the others are served", async () => {
    const r = renderer();
    const batches = new RenderBatches(r.call, base, { windowMs: 5, maxTrajectories: 64 });
    const counter = { n: 0 };
    const refused = [step("x1"), step("refuse")];
    const [first, second] = await Promise.all([batches.render(refused, alone(refused, counter)), batches.render([step("y1")], alone([step("y1")], counter))]);
    assert.equal(counter.n, 1);
    assert.deepEqual(
      first.map((x) => x.digest),
      ["alone:x1", "alone:refuse"],
    );
    assert.deepEqual(
      second.map((x) => x.digest),
      ["y1"],
    );
  });

  it("when the call fails, answers what it finished and sends the rest on their own", async () => {
    const r = renderer(2);
    const batches = new RenderBatches(r.call, base, { windowMs: 5, maxTrajectories: 64 });
    const counter = { n: 0 };
    const trajectories = [["a1"], ["b1"], ["c1"]].map((intents) => intents.map(step));
    const afters = await Promise.all(trajectories.map((steps) => batches.render(steps, alone(steps, counter))));
    assert.equal(counter.n, 1);
    assert.deepEqual(
      afters.map((a) => a.map((x) => x.digest)),
      [["a1"], ["b1"], ["alone:c1"]],
    );
  });

  it("a full batch goes at once; one response alone and a window of 0 skip the shared call", async () => {
    const r = renderer();
    const counter = { n: 0 };
    const full = new RenderBatches(r.call, base, { windowMs: 60_000, maxTrajectories: 2 });
    await Promise.all([full.render([step("a")], alone([step("a")], counter)), full.render([step("b")], alone([step("b")], counter))]);
    assert.deepEqual(r.calls, [2]);
    const single = new RenderBatches(r.call, base, { windowMs: 1, maxTrajectories: 64 });
    assert.deepEqual(
      (await single.render([step("s")], alone([step("s")], counter))).map((x) => x.digest),
      ["alone:s"],
    );
    const off = new RenderBatches(r.call, base, { windowMs: 0, maxTrajectories: 64 });
    await Promise.all([off.render([step("c")], alone([step("c")], counter)), off.render([step("d")], alone([step("d")], counter))]);
    assert.deepEqual(r.calls, [2]);
    assert.equal(counter.n, 3);
  });
});
