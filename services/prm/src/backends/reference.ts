// ChartWorld's exact geometric scorer as a backend: for ChartWorld data, the label a perfect
// FinePRM would give. Needs each step's ReferenceTarget (chart seed + structured target); the
// chart's annotations are regenerated from the seed (deterministic) and cached.
import { type ChartAnnotations, generateChart, scoreStep, type StepTarget } from "@sketchvl/chartworld";
import { prmLabelIndex } from "@sketchvl/contract";
import type { ChartKind } from "@sketchvl/chartworld";
import { InvalidArgumentError } from "@sketchvl/errors";
import { type LabelProbabilities, oneHot, type PrmStep, type ScoringBackend } from "./types";

export class ReferenceBackend implements ScoringBackend {
  private readonly charts = new Map<string, Promise<ChartAnnotations>>();

  constructor(private readonly maxCharts = 256) {}

  async score(steps: readonly PrmStep[]): Promise<LabelProbabilities[]> {
    return Promise.all(
      steps.map(async (step) => {
        const ref = step.reference;
        if (!ref?.targetJson) {
          throw new InvalidArgumentError("reference", "the reference backend needs each step's ChartWorld reference (chart_seed, target_json)");
        }
        let target: StepTarget;
        try {
          target = JSON.parse(ref.targetJson) as StepTarget;
        } catch (err) {
          throw new InvalidArgumentError("reference.target_json", `not JSON: ${(err as Error).message}`);
        }
        if (!target?.shape?.type) throw new InvalidArgumentError("reference.target_json", "not a ChartWorld StepTarget (no shape)");
        const annotations = await this.annotations(ref.chartSeed, ref.chartKind);
        return oneHot(prmLabelIndex(scoreStep(annotations, target, step.action)));
      }),
    );
  }

  private annotations(seed: number, kind: string): Promise<ChartAnnotations> {
    const key = `${seed}:${kind}`;
    let found = this.charts.get(key);
    if (!found) {
      found = generateChart(seed, (kind || undefined) as ChartKind | undefined).then((chart) => chart.annotations);
      found.catch(() => this.charts.delete(key));
      this.charts.set(key, found);
      if (this.charts.size > this.maxCharts) this.charts.delete(this.charts.keys().next().value as string);
    }
    return found;
  }

  async close(): Promise<void> {
    this.charts.clear();
  }
}
