import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "@sketchvl/errors";
import { writeCurves } from "./ablation";
import { type Curriculum, stageAt, stagePrompts, switchAfterEvaluation, validateCurriculum } from "./curriculum";
import type { Prompt } from "./prompts";
import type { UpdateRecord } from "./rlStep";

const rewardMap = { kind: "rewardmap", detailAlpha: 0.5 } as const;

describe("curriculum", () => {
  it("switches by schedule after --perception-updates updates", () => {
    const c: Curriculum = { mode: "schedule", perceptionUpdates: 2 };
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((u) => stageAt(c, u, undefined)),
      ["perception", "perception", "reasoning", "reasoning", "reasoning"],
    );
    assert.deepEqual(
      [0, 1].map((u) => stageAt({ mode: "off" }, u, undefined)),
      ["all", "all"],
    );
  });

  it("switches by accuracy at the first held-out evaluation during RL that reaches the threshold, and only once", () => {
    const c: Curriculum = { mode: "accuracy", switchAccuracy: 0.3 };
    assert.equal(switchAfterEvaluation(c, 5, 0.29, undefined), undefined);
    assert.equal(switchAfterEvaluation(c, 5, Number.NaN, undefined), undefined, "no perception question evaluated: no evidence");
    assert.equal(switchAfterEvaluation(c, 0, 0.9, undefined), undefined, "the SFT policy's evaluation does not end the stage");
    assert.equal(switchAfterEvaluation(c, 10, 0.3, undefined), 10);
    assert.equal(switchAfterEvaluation(c, 15, 0.9, 10), undefined);
    assert.equal(switchAfterEvaluation({ mode: "schedule", perceptionUpdates: 3 }, 5, 1, undefined), undefined);
    assert.deepEqual(
      [8, 9, 10, 11].map((u) => stageAt(c, u, 10)),
      ["perception", "perception", "reasoning", "reasoning"],
    );
    assert.equal(stageAt(c, 50, undefined), "perception");
  });

  it("refuses a curriculum that could not run as asked, naming the flag", () => {
    const rl = { updates: 10 };
    const refused = (curriculum: Curriculum, outcome: Parameters<typeof validateCurriculum>[1], every: number, flag: string) =>
      assert.throws(
        () => validateCurriculum(curriculum, outcome, rl, { every }),
        (err: unknown) => err instanceof InvalidArgumentError && err.field === flag,
      );
    validateCurriculum({ mode: "off" }, { kind: "relaxed-accuracy" }, rl, { every: 100 });
    validateCurriculum({ mode: "schedule", perceptionUpdates: 9 }, rewardMap, rl, { every: 100 });
    validateCurriculum({ mode: "accuracy", switchAccuracy: 0 }, rewardMap, rl, { every: 5 });
    refused({ mode: "schedule", perceptionUpdates: 3 }, { kind: "relaxed-accuracy" }, 5, "--curriculum");
    refused({ mode: "schedule", perceptionUpdates: 10 }, rewardMap, 5, "--perception-updates");
    refused({ mode: "accuracy", switchAccuracy: 1.5 }, rewardMap, 5, "--switch-accuracy");
    refused({ mode: "accuracy", switchAccuracy: 0.5 }, rewardMap, 10, "--eval-every");
  });

  it("draws each stage's prompts from its own kind of question", () => {
    const prompts = [
      { id: "a", kind: "perception" },
      { id: "b", kind: "reasoning" },
      { id: "c", kind: "perception" },
    ] as Prompt[];
    assert.deepEqual(
      stagePrompts(prompts, "perception").map((p) => p.id),
      ["a", "c"],
    );
    assert.deepEqual(
      stagePrompts(prompts, "all").map((p) => p.id),
      ["a", "b", "c"],
    );
    assert.throws(() => stagePrompts(prompts.slice(0, 1), "reasoning"), InvalidArgumentError);
  });

  it("marks the stage switch on every panel of the curves", async () => {
    const dir = mkdtempSync(join(tmpdir(), "curriculum-curves-"));
    try {
      const record = (update: number, stage: UpdateRecord["stage"]) =>
        ({ update, stage, reward: 0.5, meanProcessScore: 2, meanReferenceScore: 1, kl: 0, actionMix: {} }) as UpdateRecord;
      const run = (arm: string, stages: UpdateRecord["stage"][]) => ({
        arm,
        seed: 1,
        result: { state: {} as never, history: stages.map((s, u) => record(u, s)), evaluations: [], folder: "" },
      });
      await writeCurves(dir, "t", [run("curriculum", ["perception", "perception", "reasoning"])]);
      const svg = readFileSync(join(dir, "curves.svg"), "utf8");
      const markers = svg.match(/<line class="stage-marker" x1="([\d.]+)"/g) ?? [];
      assert.equal(markers.length, 8, "one marker per panel");
      assert.match(svg, /reasoning →/);
      await writeCurves(dir, "t", [run("finepo", ["all", "all", "all"])]);
      assert.doesNotMatch(readFileSync(join(dir, "curves.svg"), "utf8"), /stage-marker/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("npm run train refuses bad curriculum flags before starting anything", () => {
    const cli = join(__dirname, "cli.js");
    const run = (...args: string[]) => spawnSync(process.execPath, [cli, "train", ...args], { encoding: "utf8" });
    const noRewardMap = run("--curriculum", "schedule", "--perception-updates", "5");
    assert.equal(noRewardMap.status, 2);
    assert.match(noRewardMap.stderr, /--curriculum: .*--reward rewardmap/);
    const late = run("--reward", "rewardmap", "--curriculum", "schedule", "--perception-updates", "30");
    assert.equal(late.status, 2);
    assert.match(late.stderr, /--perception-updates: must be a whole number from 1 to --rl-updates − 1 \(29\), got 30/);
    const unknown = run("--reward", "rewardmap", "--curriculum", "sometimes");
    assert.match(unknown.stderr, /--curriculum: expected off \| schedule \| accuracy, got "sometimes"/);
    assert.match(run("--help").stdout, /--switch-accuracy/);
  });
});
