// Visual-ERM's reward for chart-to-code (SketchVL spec §6), written once: S = Σ severity over the
// judge's errors, S = 25 when the judge's output could not be parsed, reward = 1 + clip(1 − S/50,
// 0, 1) ∈ [1, 2] for a chart that rendered, 0 for no code, a failed render or a blank image.
import { ChartRenderStatus } from "@sketchvl/contract";

/** S for a judge's output that is not Visual-ERM's JSON. */
export const UNPARSEABLE_SEVERITY_SUM = 25;
/** S at which the reward reaches its floor of 1. */
export const SEVERITY_SCALE = 50;

export function severitySum(errors: readonly { severity: number }[], parsed: boolean): number {
  return parsed ? errors.reduce((s, e) => s + e.severity, 0) : UNPARSEABLE_SEVERITY_SUM;
}

export function visualErmReward(status: ChartRenderStatus, severity: number): number {
  if (status !== ChartRenderStatus.CHART_RENDER_STATUS_OK) return 0;
  return 1 + Math.min(1, Math.max(0, 1 - severity / SEVERITY_SCALE));
}

/**
 * The chart code in a response: the first ``` fence (```json, ```vega-lite or bare) holding a JSON
 * object, else the text from its first "{" to its last "}"; "" when there is none.
 */
export function extractChartCode(text: string): string {
  for (const m of text.matchAll(/```[\w-]*[ \t]*\r?\n([\s\S]*?)```/g)) {
    if (m[1].trim().startsWith("{")) return m[1].trim();
  }
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  return start >= 0 && end > start ? text.slice(start, end + 1) : "";
}
