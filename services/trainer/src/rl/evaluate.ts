// Held-out evaluation: greedy answers (one rollout per question, temperature 0) on ChartWorld's test
// split, scored by the same reward service: accuracy, FinePRM's mean step score, the reference
// scorer's mean step score, and the action mix.
import type { Prompt } from "./prompts";
import { type MeshClients, type RlSettings, mapConcurrently, rolloutAndScore, summarizeGroups } from "./rlStep";

export type Evaluation = ReturnType<typeof summarizeGroups> & { questions: number };

export async function evaluatePolicy(clients: MeshClients, prompts: readonly Prompt[], settings: RlSettings, runId: string): Promise<Evaluation> {
  const greedy: RlSettings = { ...settings, groupSize: 1, temperature: 0 };
  const scored = await mapConcurrently(prompts, settings.concurrency, (p, index) =>
    rolloutAndScore(clients, p, greedy, { runId, update: 0, seed: 0, index }, false),
  );
  return { ...summarizeGroups(scored), questions: prompts.length };
}
