// What every chart judge implements (Visual-ERM, SketchVL spec §6): the reference chart and the one
// rendered from predicted code in, the list of errors out. Judges know nothing of gRPC.
import type { ChartCodeError } from "@sketchvl/chartworld";
import type { RasterImage } from "@sketchvl/drawing";

export type { ChartCodeError };

export const CHART_JUDGES = ["reference", "remote-judge", "random"] as const;
export type ChartJudgeName = (typeof CHART_JUDGES)[number];

export interface ChartJudgeInput {
  referenceCode: string;
  predictedCode: string;
  /** Present when the judge looks at images (needsImages). */
  referenceImage?: RasterImage;
  renderedImage?: RasterImage;
}

export interface ChartJudgement {
  errors: ChartCodeError[];
  /** False when the judge answered with something that is not Visual-ERM's JSON (reward: S = 25). */
  parsed: boolean;
  /** The judge's own text, when it wrote one. */
  rawOutput: string;
}

export interface ChartJudge {
  readonly needsImages: boolean;
  judge(input: ChartJudgeInput, signal?: AbortSignal): Promise<ChartJudgement>;
}
