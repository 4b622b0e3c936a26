// A placeholder chart judge whose errors carry no information about the chart: for tests and for
// wiring a mesh without a judge model. Seeded by its seed and the predicted code alone, so the
// same code always gets the same errors.
import type { ChartErrorCategory } from "@sketchvl/chartworld";
import { Rng } from "@sketchvl/seeded-random";
import type { ChartJudge, ChartJudgeInput, ChartJudgement } from "./types";

const CATEGORIES: ChartErrorCategory[] = ["structure", "data", "text", "style"];

export class RandomChartJudge implements ChartJudge {
  readonly needsImages = false;

  constructor(private readonly seed: number) {}

  async judge({ predictedCode }: ChartJudgeInput): Promise<ChartJudgement> {
    const rng = new Rng(this.seed, predictedCode);
    const errors = Array.from({ length: rng.int(0, 4) }, (_, i) => ({
      category: rng.pick(CATEGORIES),
      severity: rng.int(1, 3) as 1 | 2 | 3,
      location: `random ${i}`,
      description: "a random placeholder error",
    }));
    return { errors, parsed: true, rawOutput: "" };
  }
}
