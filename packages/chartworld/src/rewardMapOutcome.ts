// A ChartWorld question's RewardMap grading as the reward service takes it: the contract's
// OutcomeConfig with W_map, W_question and the sub-answers filled from the chart's ground truth.
import { OutcomeReward, type OutcomeConfig, type SubAnswer as ContractSubAnswer } from "@sketchvl/contract";
import type { ChartWorldExample } from "./chartworld";
import { questionDifficulty, type SubAnswer, subAnswers } from "./difficulty";

export function contractSubAnswer(s: SubAnswer): ContractSubAnswer {
  return {
    name: s.name,
    region: s.region ? { corner1: { x: s.region.x1, y: s.region.y1 }, corner2: { x: s.region.x2, y: s.region.y2 } } : undefined,
    values: s.values,
  };
}

/** RewardMap for question `questionIndex` of `example`, with detail weight `detailAlpha`. */
export function rewardMapOutcome(example: ChartWorldExample, questionIndex: number, detailAlpha: number): OutcomeConfig {
  const d = questionDifficulty(example, questionIndex);
  return {
    kind: OutcomeReward.OUTCOME_REWARD_REWARDMAP,
    difficultyWeight: 0,
    detailAlpha,
    mapWeight: d.mapWeight,
    questionWeight: d.questionWeight,
    subAnswers: subAnswers(example, questionIndex).map(contractSubAnswer),
  };
}
