// Step quality by ChartWorld's exact reference scorer, beside the PRM's opinion: a policy step is
// matched to the expert step of the same question with the same intent (case and spacing aside),
// and that step's structured target grades the mark geometrically. Steps whose intent no expert
// step has are counted as unmatched, not guessed at — so the column is honest about its coverage.
import type { DrawingAction } from "@sketchvl/contract";
import { type ExpertTrajectory, scoreStepValue, type ChartWorldExample } from "@sketchvl/chartworld";

const normalize = (s: string) => s.trim().replace(/\s+/g, " ").toLowerCase();

export interface StepQuality {
  /** Reference scores (1-4) of the matched steps. */
  scores: number[];
  unmatched: number;
}

export function referenceStepQuality(
  example: ChartWorldExample,
  trajectory: ExpertTrajectory,
  steps: readonly { intent: string; action?: DrawingAction }[],
): StepQuality {
  const targets = new Map(trajectory.steps.map((s) => [normalize(s.intent), s.target]));
  const out: StepQuality = { scores: [], unmatched: 0 };
  for (const step of steps) {
    const target = targets.get(normalize(step.intent));
    if (!target || !step.action) {
      out.unmatched++;
      continue;
    }
    out.scores.push(scoreStepValue(example.chart.annotations, target, step.action));
  }
  return out;
}
