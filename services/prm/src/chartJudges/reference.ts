// ChartWorld's exact chart judge: the reference chart's true spec against the predicted one,
// property by property (compareChartSpecs: mark type → structure, data values → data, titles →
// text, colours and sizes → style). What a perfect Visual-ERM would say about ChartWorld charts.
import { compareChartSpecs } from "@sketchvl/chartworld";
import { InvalidArgumentError } from "@sketchvl/errors";
import type { ChartJudge, ChartJudgeInput, ChartJudgement } from "./types";

type Spec = Record<string, unknown>;

function asSpec(code: string): Spec | undefined {
  try {
    const value: unknown = JSON.parse(code);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Spec) : undefined;
  } catch {
    return undefined;
  }
}

export class ReferenceChartJudge implements ChartJudge {
  readonly needsImages = false;

  async judge({ referenceCode, predictedCode }: ChartJudgeInput): Promise<ChartJudgement> {
    const reference = asSpec(referenceCode);
    if (!reference) throw new InvalidArgumentError("reference_code", "the reference judge needs the reference chart's spec as a JSON object");
    const predicted = asSpec(predictedCode);
    // The renderer drew it, so it was a spec; code that is not one JSON object differs wholesale.
    if (!predicted) return { errors: [{ category: "structure", severity: 3, location: "code", description: "not a JSON spec" }], parsed: true, rawOutput: "" };
    return { errors: compareChartSpecs(reference, predicted), parsed: true, rawOutput: "" };
  }
}
