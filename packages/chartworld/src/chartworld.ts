// The suite's front door: seed -> chart + questions + expert trajectories, and iteration over a
// fixed split. A seed whose chart or questions fail a check yields nothing, deterministically.
import { ChartContext } from "./chartContext";
import type { ChartKind, Split } from "./chartTypes";
import { expertTrajectory, type ExpertTrajectory } from "./expertTrajectory";
import { pickQuestions, type ChartQuestion } from "./questions";
import { tryGenerateChart, type GeneratedChart } from "./renderChart";
import { Rng } from "@sketchvl/seeded-random";
import { scoreStep } from "./scoreStep";
import { seedsOfSplit } from "./splits";

export interface ChartWorldExample {
  chart: GeneratedChart;
  questions: ChartQuestion[];
  /** trajectories[i] answers questions[i]. */
  trajectories: ExpertTrajectory[];
}

export interface ExampleOptions {
  /** Questions per chart (fewer when the chart supports fewer). Default 3. */
  questionsPerChart?: number;
  kind?: ChartKind;
}

/** Chart, questions and expert trajectories for one seed; null when the seed is rejected. */
export async function generateExample(seed: number, opts: ExampleOptions = {}): Promise<ChartWorldExample | null> {
  const chart = await tryGenerateChart(seed, opts.kind);
  if (!chart) return null;
  const ctx = new ChartContext(chart.annotations, chart.data);
  const questions = pickQuestions(ctx, new Rng(seed, "questions"), opts.questionsPerChart ?? 3);
  if (questions.length === 0) return null;
  const trajectories = questions.map((q) => expertTrajectory(ctx, q));
  // Self-check: an expert step that its own target would not rate excellent means a broken
  // template or annotation; such charts are dropped rather than shipped with wrong labels.
  for (const t of trajectories) for (const s of t.steps) if (scoreStep(chart.annotations, s.target, s.action) !== "excellent") return null;
  return { chart, questions, trajectories };
}

export interface IterateOptions extends ExampleOptions {
  split: Split;
  /** Number of examples (charts) to yield. */
  count: number;
  /** Skip this many seeds of the split first (to continue a previous export). */
  offset?: number;
}

/** `count` examples of `split`, in seed order: the same options always give the same examples. */
export async function* iterateExamples(opts: IterateOptions): AsyncGenerator<ChartWorldExample> {
  let made = 0;
  for (const seed of seedsOfSplit(opts.split, opts.offset ?? 0)) {
    if (made >= opts.count) return;
    const ex = await generateExample(seed, opts);
    if (ex) {
      made++;
      yield ex;
    }
  }
}
