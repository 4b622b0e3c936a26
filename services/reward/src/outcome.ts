// Outcome reward R(y): how the final answer is graded. Pluggable per request (OutcomeConfig).
import { relaxedAccuracy } from "@sketchvl/chartworld";
import { OutcomeReward, type OutcomeConfig } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";

export interface OutcomeInput {
  /** The answer the response gave ("" when none was found). */
  answer: string;
  references: readonly string[];
  /** Steps that parsed and format errors, for RewardMap's format component. */
  stepCount: number;
  formatErrorCount: number;
  /** Fraction of the response's scored steps rated Acceptable or better: RewardMap's detail. */
  goodStepFraction: number;
}

export interface Outcome {
  reward: number;
  components: Record<string, number>;
}

const normalize = (s: string) => s.trim().toLowerCase().replace(/\s+/g, " ");

export function gradeOutcome(config: OutcomeConfig | undefined, input: OutcomeInput): Outcome {
  const kind = config?.kind ?? OutcomeReward.OUTCOME_REWARD_UNSPECIFIED;
  const answered = input.answer.trim() !== "";
  switch (kind) {
    case OutcomeReward.OUTCOME_REWARD_UNSPECIFIED:
    case OutcomeReward.OUTCOME_REWARD_RELAXED_ACCURACY: {
      const correct = answered && relaxedAccuracy(input.answer, [...input.references]) ? 1 : 0;
      return { reward: correct, components: { correctness: correct } };
    }
    case OutcomeReward.OUTCOME_REWARD_EXACT_MATCH: {
      const correct = answered && input.references.some((r) => normalize(r) === normalize(input.answer)) ? 1 : 0;
      return { reward: correct, components: { correctness: correct } };
    }
    case OutcomeReward.OUTCOME_REWARD_REWARDMAP: {
      // RewardMap (arXiv 2510.02240): W_difficulty * (R_format + R_correctness + alpha * R_detail).
      const weight = config?.difficultyWeight || 1;
      const alpha = config?.detailAlpha ?? 0;
      const format = answered && input.formatErrorCount === 0 ? 1 : 0;
      const correctness = answered && relaxedAccuracy(input.answer, [...input.references]) ? 1 : 0;
      const detail = input.goodStepFraction;
      return { reward: weight * (format + correctness + alpha * detail), components: { format, correctness, detail } };
    }
    default:
      throw new InvalidArgumentError("outcome.kind", `unknown outcome reward ${String(kind)}`);
  }
}
