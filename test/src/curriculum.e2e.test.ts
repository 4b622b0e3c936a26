// The curriculum through the real RL loop (learner, renderer, PRM, trainer, reward, policy): tiny
// runs that move from perception to reasoning questions by schedule and by held-out accuracy, with
// RewardMap's components on every scored response and the stage in history.jsonl,
// evaluations.jsonl, state.json and the curves.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadPrompts, runTraining, type TrainingOptions, writeCurves } from "@sketchvl/trainer/rl";
import { tinyTraining } from "./support/tinyTraining";

/** tinyTraining with RewardMap rewards, one more chart (both question stages) and an evaluation every update (the threshold switch). */
const tiny = (outDir: string): TrainingOptions => {
  const base = tinyTraining(outDir);
  return {
    ...base,
    seed: 4,
    rl: { ...base.rl, trainCharts: 4, outcome: { kind: "rewardmap", detailAlpha: 0.5 } },
    evaluation: { charts: 1, every: 1 },
  };
};

describe("curriculum through the mesh", () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), "curriculum-e2e-"));
    dirs.push(d);
    return d;
  };
  after(() =>
    dirs.forEach((d) => {
      rmSync(d, { recursive: true, force: true });
    }),
  );
  let sft: { checkpoint: string; sftUpdates: number } | undefined;

  // Whole runs (learner and five services each) on 2 shared cores: more than the suite's 120 s per test.
  const timeout = 360_000;

  it("switches from perception to reasoning questions by schedule, logging the stage and RewardMap's detail", { timeout }, async () => {
    const out = tmp();
    const logs: string[] = [];
    const result = await runTraining({
      ...tiny(out),
      curriculum: { mode: "schedule", perceptionUpdates: 1 },
      report: { phase() {}, tick() {}, update() {}, evaluation() {}, log: (l) => logs.push(l) },
    });
    sft = { checkpoint: join(out, "checkpoints", "sft.pt"), sftUpdates: 2 };
    assert.deepEqual(
      result.history.map((h) => h.stage),
      ["perception", "reasoning"],
    );
    const kinds = new Map((await loadPrompts("train", 4)).map((p) => [p.id, p.kind]));
    result.history.forEach((h) => {
      for (const id of h.promptIds) assert.equal(kinds.get(id), h.stage, `${id} drawn in the ${h.stage} stage`);
      assert.ok(h.meanDetail >= 0 && h.meanDetail <= 1, "RewardMap's detail reward reached the loop");
    });
    assert.ok(
      logs.some((l) => /curriculum: perception → reasoning at update 1/.test(l)),
      logs.join("\n"),
    );
    const lines = readFileSync(join(out, "history.jsonl"), "utf8").trim().split("\n");
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).stage),
      ["perception", "reasoning"],
    );
    assert.deepEqual(
      result.evaluations.map((e) => [e.update, e.stage]),
      [
        [0, "perception"],
        [1, "perception"],
        [2, "reasoning"],
      ],
    );
    const curves = await writeCurves(out, "t", [{ arm: "finepo", seed: 4, result }]);
    assert.match(readFileSync(curves.svg, "utf8"), /class="stage-marker"/);
  });

  it("switches by held-out accuracy at the first evaluation that reaches the threshold, and records it for a resume", { timeout }, async () => {
    assert.ok(sft, "runs after the schedule test (its SFT checkpoint)");
    const out = tmp();
    // Threshold 0: the first evaluation during RL (after update 1) reaches it, whatever this tiny policy answers.
    const result = await runTraining({ ...tiny(out), curriculum: { mode: "accuracy", switchAccuracy: 0 }, startFrom: sft });
    assert.equal(result.state.curriculumSwitchAt, 1);
    assert.deepEqual(
      result.history.map((h) => h.stage),
      ["perception", "reasoning"],
    );
    const stayed = await runTraining({ ...tiny(tmp()), curriculum: { mode: "accuracy", switchAccuracy: 1 }, startFrom: sft });
    const perfect = stayed.evaluations.some((e) => e.update > 0 && e.perceptionAccuracy >= 1);
    // A threshold of 100% is not reached by a 2-update policy (if it were, the run would rightly switch).
    assert.deepEqual(
      stayed.history.map((h) => h.stage),
      perfect ? ["perception", "reasoning"] : ["perception", "perception"],
    );
  });
});
