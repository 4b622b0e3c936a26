// One RL update, as verl / OpenRLHF do it: a batch of prompts → a group of k rollouts each from the
// policy service → the reward service scores every group (outcome, FinePRM steps, FinePO or GRPO
// token advantages — the same API external trainers call) → one PPO-clip step on the learner.
import {
  actionNameOf,
  AdvantageMode,
  expectedPrmScore,
  FailureKind,
  type GroupRewards,
  type GenerateResponse,
  Objective,
  type PolicyServiceDefinition,
  PRM_LABEL_COUNT,
  type RewardServiceDefinition,
  StepFormat,
  type TrainSequence,
  type TrainStepResponse,
  RewardTask,
} from "@sketchvl/contract";
import { rewardMapOutcome } from "@sketchvl/chartworld";
import type { Client } from "nice-grpc";
import type { CurriculumStage, OutcomeSettings } from "./curriculum";
import type { LearnerClient } from "./learnerWorker";
import type { Prompt } from "./prompts";
import { retryUnavailable } from "./retry";
import { rolloutSequence } from "./sequences";
import { referenceStepQuality } from "./stepQuality";

export const RL_MODES = ["grpo", "finepo", "finepo-random-prm", "finepo-no-kl"] as const;
export type RlMode = (typeof RL_MODES)[number];

export const ADVANTAGE_MODE: Record<RlMode, AdvantageMode> = {
  grpo: AdvantageMode.ADVANTAGE_MODE_GRPO,
  finepo: AdvantageMode.ADVANTAGE_MODE_FINEPO,
  "finepo-random-prm": AdvantageMode.ADVANTAGE_MODE_RANDOM_PRM,
  "finepo-no-kl": AdvantageMode.ADVANTAGE_MODE_FINEPO_NO_KL,
};

export interface RlSettings {
  mode: RlMode;
  groupSize: number;
  temperature: number;
  topP: number;
  maxTurns: number;
  maxTokensPerTurn: number;
  clipLow: number;
  clipHigh: number;
  klCoef: number;
  entropyCoef: number;
  microBatch: number;
  /** Groups generated and scored at once. */
  concurrency: number;
  /** How the reward service grades answers; RewardMap's weights and sub-answers come from ChartWorld per prompt. Default relaxed accuracy. */
  outcome?: OutcomeSettings;
}

export interface MeshClients {
  policy: Client<typeof PolicyServiceDefinition>;
  reward: Client<typeof RewardServiceDefinition>;
}

/** What one update did, logged per update and plotted. */
export interface UpdateRecord {
  update: number;
  policyVersion: string;
  /** The curriculum stage whose prompts this update drew ("all" without a curriculum). */
  stage: CurriculumStage;
  /** The prompts of this update (question ids): the data order a resumed run must repeat. */
  promptIds: string[];
  loss: number;
  kl: number;
  entropy: number;
  clipFraction: number;
  gradNorm: number;
  /** Responses trained on (not masked). */
  responses: number;
  /** Mean outcome reward R(y) and the fraction of correct answers over the batch's responses. */
  reward: number;
  accuracy: number;
  /** Accuracy on the batch's perception / reasoning questions (NaN: none in the batch). */
  perceptionAccuracy: number;
  reasoningAccuracy: number;
  /** Mean RewardMap detail reward (share of sub-answers found; NaN without RewardMap). */
  meanDetail: number;
  /** Mean FinePRM score of the scored steps, and ChartWorld's reference score of the matched ones (NaN / null: no such step). */
  meanProcessScore: number;
  meanReferenceScore: number;
  referenceCoverage: number;
  stepsPerResponse: number;
  actionMix: Record<string, number>;
  masked: number;
  formatFailures: number;
  tokens: number;
  seconds: { rollout: number; reward: number; update: number };
}

interface ScoredGroup {
  prompt: Prompt;
  generated: GenerateResponse;
  rewards: GroupRewards;
}

export async function rolloutAndScore(
  clients: MeshClients,
  prompt: Prompt,
  settings: RlSettings,
  run: { runId: string; update: number; seed: number; index: number },
  returnModelInputs = true,
): Promise<ScoredGroup & { rolloutSeconds: number; rewardSeconds: number }> {
  const t0 = performance.now();
  const requestId = `${run.runId}/u${run.update}/p${run.index}`;
  const generated = await retryUnavailable(() =>
    clients.policy.generate({
      requestId,
      model: "",
      image: { source: { $case: "encoded", value: prompt.png } },
      question: prompt.question,
      sampling: {
        groupSize: settings.groupSize,
        maxTurns: settings.maxTurns,
        maxTokensPerTurn: settings.maxTokensPerTurn,
        temperature: settings.temperature,
        topP: settings.topP,
        seed: run.seed * 1_000_003 + run.update * 1009 + run.index,
      },
      returnModelInputs,
    }),
  );
  const t1 = performance.now();
  const { group } = await retryUnavailable(() =>
    clients.reward.scoreGroup({
      requestId,
      runId: run.runId,
      batchIndex: run.update,
      image: { source: { $case: "encoded", value: prompt.png } },
      question: prompt.question,
      references: prompt.references,
      responses: generated.rollouts.map((r) => ({ id: String(r.index), text: r.text, tokenOffsets: r.tokenOffsets, imageTokenSpans: r.imageTokenSpans })),
      outcome: settings.outcome?.kind === "rewardmap" ? rewardMapOutcome(prompt.example, prompt.questionIndex, settings.outcome.detailAlpha) : undefined,
      finepo: { mode: ADVANTAGE_MODE[settings.mode] } as never,
      prmModel: "",
      useArgmaxScore: false,
      format: StepFormat.STEP_FORMAT_SKETCHVL,
      sampleTimeoutMs: 0,
      task: RewardTask.REWARD_TASK_DRAW_AND_ANSWER,
      chartCode: undefined,
    }),
  );
  if (!group) throw new Error(`reward service answered ${requestId} without a group`);
  return { prompt, generated, rewards: group, rolloutSeconds: (t1 - t0) / 1000, rewardSeconds: (performance.now() - t1) / 1000 };
}

/** Runs `task` over `items` with at most `limit` at once, keeping order. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Sequences to train on: every response the reward service did not mask. */
export function trainingSequences(groups: readonly ScoredGroup[]): TrainSequence[] {
  return groups.flatMap(({ generated, rewards }) =>
    generated.rollouts.flatMap((rollout, i) => {
      const r = rewards.responses[i];
      if (!r || r.maskSample) return [];
      return [rolloutSequence(rollout, r.tokenAdvantages, r.lossMask)];
    }),
  );
}

/** Batch statistics of scored groups (outcome, process and reference step quality, action mix). */
export function summarizeGroups(groups: readonly ScoredGroup[]) {
  let responses = 0;
  let correct = 0;
  let reward = 0;
  let masked = 0;
  let formatFailures = 0;
  let steps = 0;
  const processScores: number[] = [];
  const referenceScores: number[] = [];
  let unmatched = 0;
  const mix: Record<string, number> = {};
  const byKind = { perception: { correct: 0, responses: 0 }, reasoning: { correct: 0, responses: 0 } };
  const details: number[] = [];
  for (const { prompt, rewards } of groups) {
    const expert = prompt.example.trajectories[prompt.questionIndex];
    for (const r of rewards.responses) {
      if (r.maskSample) {
        masked++;
        continue;
      }
      responses++;
      reward += r.outcomeReward;
      // Correctness is its own component: RewardMap's reward is weighted and has a format part.
      const right = (r.rewardComponents.correctness ?? r.outcomeReward) >= 1;
      if (right) correct++;
      byKind[prompt.kind].responses++;
      if (right) byKind[prompt.kind].correct++;
      if (r.rewardComponents.detail !== undefined) details.push(r.rewardComponents.detail);
      if (r.failureKind !== FailureKind.FAILURE_KIND_UNSPECIFIED) formatFailures++;
      steps += r.steps.length;
      for (const s of r.steps) {
        const name = actionNameOf(s.action) ?? "none";
        mix[name] = (mix[name] ?? 0) + 1;
        // FinePRM's own expected score, whatever FinePO then did with it.
        if (!s.excluded && s.probabilities.length === PRM_LABEL_COUNT) processScores.push(expectedPrmScore(s.probabilities));
      }
      const quality = referenceStepQuality(prompt.example, expert, r.steps);
      referenceScores.push(...quality.scores);
      unmatched += quality.unmatched;
    }
  }
  const totalSteps = Object.values(mix).reduce((a, b) => a + b, 0);
  for (const k of Object.keys(mix)) mix[k] = mix[k] / Math.max(1, totalSteps);
  // No scored (or matched) step: no score, not a score of 0 (NaN, which JSON logs as null).
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
  return {
    responses,
    reward: responses ? reward / responses : 0,
    accuracy: responses ? correct / responses : 0,
    perceptionAccuracy: byKind.perception.responses ? byKind.perception.correct / byKind.perception.responses : Number.NaN,
    reasoningAccuracy: byKind.reasoning.responses ? byKind.reasoning.correct / byKind.reasoning.responses : Number.NaN,
    meanDetail: mean(details),
    meanProcessScore: mean(processScores),
    meanReferenceScore: mean(referenceScores),
    referenceCoverage: referenceScores.length / Math.max(1, referenceScores.length + unmatched),
    stepsPerResponse: responses ? steps / responses : 0,
    actionMix: mix,
    masked,
    formatFailures,
  };
}

export async function rlUpdate(
  clients: MeshClients,
  learner: LearnerClient,
  prompts: readonly Prompt[],
  settings: RlSettings,
  run: { runId: string; update: number; seed: number; policyVersion: string; stage: CurriculumStage },
): Promise<UpdateRecord> {
  const scored = await mapConcurrently(prompts, settings.concurrency, (p, index) => rolloutAndScore(clients, p, settings, { ...run, index }));
  const sequences = trainingSequences(scored);
  const t0 = performance.now();
  let step: TrainStepResponse | undefined;
  if (sequences.length > 0) {
    step = await learner.trainStep({
      sequences,
      loss: {
        objective: Objective.OBJECTIVE_PPO_CLIP,
        clipLow: settings.clipLow,
        clipHigh: settings.clipHigh,
        klCoef: settings.klCoef,
        entropyCoef: settings.entropyCoef,
      },
      microBatch: settings.microBatch,
    });
  }
  const stats = summarizeGroups(scored);
  // Rollouts and scoring of groups overlap (concurrency), so each stage reports its wall time share.
  const share = (f: (s: (typeof scored)[number]) => number) => scored.reduce((a, s) => a + f(s), 0) / Math.max(1, settings.concurrency);
  return {
    update: run.update,
    policyVersion: run.policyVersion,
    stage: run.stage,
    promptIds: prompts.map((p) => p.id),
    loss: step?.loss ?? 0,
    kl: step?.kl ?? 0,
    entropy: step?.entropy ?? 0,
    clipFraction: step?.clipFraction ?? 0,
    gradNorm: step?.gradNorm ?? 0,
    ...stats,
    tokens: step?.tokens ?? 0,
    seconds: { rollout: share((s) => s.rolloutSeconds), reward: share((s) => s.rewardSeconds), update: (performance.now() - t0) / 1000 },
  };
}
