// RewardMap's multi-stage RL (arXiv 2510.02240, spec §6) in the loop: perception questions first
// (read one mark: ChartWorld's `value` and `extreme`), with RewardMap's dense detail rewards, then
// reasoning questions (compare, count, subtract, follow a line). The switch comes after a fixed
// number of updates (schedule) or once the held-out perception accuracy reaches a threshold
// (accuracy), checked at each held-out evaluation during RL. Stages are a pure function of the
// update number and the recorded switch, so a resumed run draws the same prompts.
import { InvalidArgumentError } from "@sketchvl/errors";
import type { Prompt } from "./prompts";

export const CURRICULUM_MODES = ["off", "schedule", "accuracy"] as const;
export type CurriculumMode = (typeof CURRICULUM_MODES)[number];

export type Curriculum = { mode: "off" } | { mode: "schedule"; perceptionUpdates: number } | { mode: "accuracy"; switchAccuracy: number };

/** "all": no curriculum, every question. */
export type CurriculumStage = "all" | "perception" | "reasoning";

export const OUTCOME_KINDS = ["relaxed-accuracy", "rewardmap"] as const;
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];
export type OutcomeSettings = { kind: "relaxed-accuracy" } | { kind: "rewardmap"; detailAlpha: number };

/** Refuses a curriculum that could not run as asked, naming the flag. */
export function validateCurriculum(curriculum: Curriculum, outcome: OutcomeSettings, rl: { updates: number }, evaluation: { every: number }): void {
  if (curriculum.mode === "off") return;
  if (outcome.kind !== "rewardmap")
    throw new InvalidArgumentError("--curriculum", "its perception stage trains on RewardMap's dense rewards: add --reward rewardmap");
  if (curriculum.mode === "schedule") {
    const n = curriculum.perceptionUpdates;
    if (!Number.isInteger(n) || n <= 0 || n >= rl.updates)
      throw new InvalidArgumentError("--perception-updates", `must be a whole number from 1 to --rl-updates − 1 (${rl.updates - 1}), got ${n}`);
  } else {
    const t = curriculum.switchAccuracy;
    if (!Number.isFinite(t) || t < 0 || t > 1) throw new InvalidArgumentError("--switch-accuracy", `must lie in 0..1, got ${t}`);
    if (evaluation.every >= rl.updates)
      throw new InvalidArgumentError(
        "--eval-every",
        `--curriculum accuracy switches at held-out evaluations: evaluate more often than every ${rl.updates} updates`,
      );
  }
}

/** The stage of update `update` (0-based), given the update the run switched at (accuracy mode). */
export function stageAt(curriculum: Curriculum, update: number, switchedAt: number | undefined): CurriculumStage {
  switch (curriculum.mode) {
    case "off":
      return "all";
    case "schedule":
      return update < curriculum.perceptionUpdates ? "perception" : "reasoning";
    case "accuracy":
      return switchedAt !== undefined && update >= switchedAt ? "reasoning" : "perception";
  }
}

/**
 * After a held-out evaluation at `done` RL updates: the update to switch at, or undefined to stay.
 * Only an evaluation during the perception stage, after at least one RL update, can switch (the
 * SFT policy's score is the starting point, not an achievement of the stage).
 */
export function switchAfterEvaluation(curriculum: Curriculum, done: number, perceptionAccuracy: number, switchedAt: number | undefined): number | undefined {
  if (curriculum.mode !== "accuracy" || switchedAt !== undefined || done <= 0) return undefined;
  return Number.isFinite(perceptionAccuracy) && perceptionAccuracy >= curriculum.switchAccuracy ? done : undefined;
}

/** The update the run switched (or will switch) at, for logs and the curves' marker. */
export function switchUpdate(curriculum: Curriculum, switchedAt: number | undefined): number | undefined {
  return curriculum.mode === "schedule" ? curriculum.perceptionUpdates : curriculum.mode === "accuracy" ? switchedAt : undefined;
}

/** The training prompts of a stage. */
export function stagePrompts(prompts: readonly Prompt[], stage: CurriculumStage): Prompt[] {
  const pool = stage === "all" ? [...prompts] : prompts.filter((p) => p.kind === stage);
  if (pool.length === 0)
    throw new InvalidArgumentError("--train-charts", `none of the ${prompts.length} training questions is a ${stage} question: use more charts`);
  return pool;
}
