// The before and after images of ChartWorld PRM samples, drawn exactly as the renderer service draws
// them (@sketchvl/drawing): before = chart + the expert's earlier actions, after = before + action.
// Samples of one chart should come together: the chart and its before images are cached until the
// next chart.
import { generateChart, generatePrmDataset, rasterizeSvg, type PrmSample, type Split } from "@sketchvl/chartworld";
import { decodeImage, drawActions, type RasterImage } from "@sketchvl/drawing";
import type { PrmStepInput } from "./features";

const LIMITS = { maxPixels: 100_000_000, maxBytes: 1 << 30 };

/** The parts of a PrmSample needed to draw its images (what workers receive). */
export type SampleForImages = Pick<PrmSample, "chartSeed" | "chartKind" | "questionId" | "stepIndex" | "priorActions" | "action">;

export class StepImages {
  private chartSeed = -1;
  private chart: RasterImage | null = null;
  private befores = new Map<string, RasterImage>();

  /** The chart of `seed` rasterized, PNG-encoded and decoded as the service would receive it. */
  private async chartImage(seed: number, kind: PrmSample["chartKind"]): Promise<RasterImage> {
    if (this.chart && this.chartSeed === seed) return this.chart;
    const chart = await generateChart(seed, kind);
    this.chart = await decodeImage(await rasterizeSvg(chart.svg), LIMITS);
    this.chartSeed = seed;
    this.befores.clear();
    return this.chart;
  }

  async images(s: SampleForImages): Promise<{ before: RasterImage; after: RasterImage }> {
    const chart = await this.chartImage(s.chartSeed, s.chartKind);
    const key = `${s.questionId}:${s.stepIndex}`;
    let before = this.befores.get(key);
    if (!before) {
      before = await drawActions(chart, s.priorActions);
      this.befores.set(key, before);
    }
    const after = await drawActions(before, [s.action]);
    return { before, after };
  }
}

/** The first `count` PRM samples of `split` and their steps (same order), drawn chart by chart. */
export async function drawnSteps(split: Split, count: number): Promise<{ samples: PrmSample[]; steps: PrmStepInput[] }> {
  const samples = await generatePrmDataset({ split, count });
  const images = new StepImages();
  const steps: PrmStepInput[] = new Array(samples.length);
  const order = samples.map((_, i) => i).sort((a, b) => samples[a].chartSeed - samples[b].chartSeed || a - b);
  for (const i of order) {
    const s = samples[i];
    const { before, after } = await images.images(s);
    steps[i] = { intent: s.intent, action: s.action, before, after };
  }
  return { samples, steps };
}
