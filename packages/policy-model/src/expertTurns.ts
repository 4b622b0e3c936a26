// ChartWorld's expert trajectories as the built-in policy writes them: one step per turn (its
// Intent and Action lines), the image drawn and fed back after each, then a turn that answers.
// Deduction lines are left out: they carry no mark and would double the sequence length.
import type { ExpertTrajectory } from "@sketchvl/chartworld";
import { formatSketchVLStep } from "@sketchvl/steps";

export function expertTurns(trajectory: ExpertTrajectory): string[] {
  return [...trajectory.steps.map((s, i) => `${formatSketchVLStep(i + 1, "", s.intent, s.action)}\n`), `Answer: ${trajectory.answer}`];
}
