// Outcome reward R(y): how the final answer is graded. Pluggable per request (OutcomeConfig).
import { relaxedAccuracy } from "@sketchvl/chartworld";
import { OutcomeReward, type OutcomeConfig, type Step } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import { difficultyWeights, foundSubAnswers, type ImageSize } from "./rewardMap";

export interface OutcomeInput {
  /** The answer the response gave ("" when none was found). */
  answer: string;
  references: readonly string[];
  /** Steps that parsed and format errors, for RewardMap's format component. */
  stepCount: number;
  formatErrorCount: number;
  /** Fraction of the response's scored steps rated Acceptable or better: RewardMap's detail when the request has no sub-answers. */
  goodStepFraction: number;
  /** The parsed steps and the prompt image's size, to check RewardMap's sub-answers against. */
  steps: readonly Step[];
  imageSize?: ImageSize;
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
      // RewardMap (arXiv 2510.02240): W_difficulty * (R_format + R_correctness + alpha * R_detail),
      // W_difficulty = W_map + W_question. Detail: the share of the request's sub-answers found, or,
      // with none given, the share of steps FinePRM rates Acceptable or better.
      const { weight, map, question } = difficultyWeights(config);
      const alpha = config?.detailAlpha ?? 0;
      const format = answered && input.formatErrorCount === 0 ? 1 : 0;
      const correctness = answered && relaxedAccuracy(input.answer, [...input.references]) ? 1 : 0;
      const subAnswers = config?.subAnswers ?? [];
      const found = foundSubAnswers(subAnswers, { steps: input.steps, answer: input.answer, imageSize: input.imageSize });
      const detail = subAnswers.length ? found.filter(Boolean).length / subAnswers.length : input.goodStepFraction;
      const components: Record<string, number> = {
        format,
        correctness,
        detail,
        difficulty_weight: weight,
        map_weight: map,
        question_weight: question,
      };
      subAnswers.forEach((s, i) => {
        components[`detail:${s.name}`] = found[i] ? 1 : 0;
      });
      return { reward: weight * (format + correctness + alpha * detail), components };
    }
    default:
      throw new InvalidArgumentError("outcome.kind", `unknown outcome reward ${String(kind)}`);
  }
}
