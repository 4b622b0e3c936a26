// RewardMap's ingredients from what ChartWorld knows exactly (arXiv 2510.02240, spec §6): the
// intermediate facts a question needs (its sub-answers, for the detail reward), how many hops its
// answer takes, how dense its chart is, and whether it is a perception or a reasoning question (the
// curriculum's stages). Everything here is plain data a caller puts in a reward request: the reward
// service never needs ChartWorld to grade with it.
import { ChartContext, formatAnswerNumber } from "./chartContext";
import type { ChartAnnotations, ChartElement } from "./chartTypes";
import type { ChartWorldExample } from "./chartworld";
import type { Box } from "./geometry";
import type { QuestionTemplate } from "./questions";

/** Perception: find one mark and read it. Reasoning: combine several reads (compare, count, subtract, follow a line). */
export type QuestionKind = "perception" | "reasoning";
export const PERCEPTION_TEMPLATES: readonly QuestionTemplate[] = ["value", "extreme"];

export function questionKind(template: QuestionTemplate): QuestionKind {
  return PERCEPTION_TEMPLATES.includes(template) ? "perception" : "reasoning";
}

/**
 * One intermediate fact of a question. A response finds it when one of its steps marks inside
 * `region` (NORM_1000: 0..1000 across the image's width and height, the element's box grown by a
 * margin so a mark's centre on a small legend entry or tick still counts), or when its text states
 * one of `values` (a value read off the chart: also marked by a line ending at it on the value
 * axis). At least one of the two is given.
 */
export interface SubAnswer {
  name: string;
  region?: Box;
  values: string[];
}

/** Margin around an element's box, in NORM_1000 units (1.5% of the image side). */
const REGION_MARGIN = 15;

function regionOf(a: ChartAnnotations, e: Pick<ChartElement, "box">): Box {
  const nx = (x: number) => (1000 * x) / a.width;
  const ny = (y: number) => (1000 * y) / a.height;
  const clamp = (v: number) => Math.min(1000, Math.max(0, v));
  return {
    x1: clamp(nx(e.box.x1) - REGION_MARGIN),
    y1: clamp(ny(e.box.y1) - REGION_MARGIN),
    x2: clamp(nx(e.box.x2) + REGION_MARGIN),
    y2: clamp(ny(e.box.y2) + REGION_MARGIN),
  };
}

/** The facts question `questionIndex` of `example` needs, in the order an expert finds them. */
export function subAnswers(example: ChartWorldExample, questionIndex: number): SubAnswer[] {
  const ctx = new ChartContext(example.chart.annotations, example.chart.data);
  const q = example.questions[questionIndex];
  const out: SubAnswer[] = [];
  const mark = (e: ChartElement, name = e.id) => out.push({ name, region: regionOf(ctx.a, e), values: [] });
  const legend = (series: string) => {
    if (ctx.multi && series !== "") mark(ctx.legend(series));
  };
  // A value is read by marking it on the value axis (where the expert's line from the datum ends)
  // or by stating it.
  const valueRead = (series: string, category: string) => {
    const v = ctx.value(series, category);
    const plot = ctx.a.plotArea;
    const at = ctx.vertical ? { x: plot.x1, y: ctx.valuePx(v) } : { x: ctx.valuePx(v), y: plot.y2 };
    const region = regionOf(ctx.a, { box: { x1: at.x, y1: at.y, x2: at.x, y2: at.y } });
    out.push({ name: `value:${series}:${category}`, region, values: [formatAnswerNumber(v, ctx.data.decimals)] });
  };
  const p = q.params;
  switch (p.template) {
    case "value":
      legend(p.series);
      mark(ctx.categoryTick(p.category));
      mark(ctx.datum(p.series, p.category));
      break;
    case "extreme":
      if (ctx.a.kind === "scatter") {
        mark(ctx.el(`point:${p.series}:${p.category}`));
        mark(ctx.legend(p.series));
        break;
      }
      legend(p.series);
      mark(ctx.datum(p.series, p.category));
      mark(ctx.categoryTick(p.category));
      break;
    case "threshold-cross":
      legend(p.series);
      mark(ctx.datum(p.series, p.category));
      mark(ctx.categoryTick(p.category));
      break;
    case "difference":
      legend(p.series);
      for (const c of p.categories) {
        mark(ctx.datum(p.series, c));
        valueRead(p.series, c);
      }
      break;
    case "count-above":
      for (const c of p.categories) {
        const row = ctx.a.table.rows.find((r) => r.category === c && (ctx.a.kind === "scatter" || r.series === p.series));
        mark(ctx.a.kind === "scatter" ? ctx.el(`point:${row?.series}:${c}`) : ctx.datum(p.series, c));
      }
      break;
    case "compare-series":
      for (const s of p.series) legend(s);
      for (const s of p.series) mark(ctx.datum(s, p.category));
      break;
  }
  return out;
}

/** Templates whose answer is computed from the facts (a difference, a count, a comparison, a crossing) rather than read off one of them. */
const COMPUTED: readonly QuestionTemplate[] = ["threshold-cross", "difference", "count-above", "compare-series"];

/**
 * Chart density: data marks (bars, points) plus legend entries — what a reader must tell apart.
 * ChartWorld's charts span 4 (a 4-bar chart) to about 39 (a 4-series line chart with 9 points each).
 */
export function chartDensity(a: ChartAnnotations): number {
  return a.elements.filter((e) => e.kind === "bar" || e.kind === "point" || e.kind === "legend-entry").length;
}

export const DENSITY_RANGE = { sparse: 4, dense: 36 } as const;
export const HOPS_RANGE = { fewest: 2, most: 6 } as const;

export interface QuestionDifficulty {
  kind: QuestionKind;
  density: number;
  /** Sub-answers, plus one when the answer is computed from them. */
  hops: number;
  /** W_map = 0.5 + 0.5 · clamp((density − 4) / (36 − 4), 0, 1) ∈ [0.5, 1]. */
  mapWeight: number;
  /** W_question = 0.5 + 0.5 · clamp((hops − 2) / (6 − 2), 0, 1) ∈ [0.5, 1]. */
  questionWeight: number;
  /** W_difficulty = W_map + W_question ∈ [1, 2]: the easiest question on the sparsest chart keeps the plain reward. */
  weight: number;
}

const ramp = (v: number, lo: number, hi: number) => 0.5 + 0.5 * Math.min(1, Math.max(0, (v - lo) / (hi - lo)));

export function questionDifficulty(example: ChartWorldExample, questionIndex: number): QuestionDifficulty {
  const q = example.questions[questionIndex];
  const density = chartDensity(example.chart.annotations);
  const hops = subAnswers(example, questionIndex).length + (COMPUTED.includes(q.template) ? 1 : 0);
  const mapWeight = ramp(density, DENSITY_RANGE.sparse, DENSITY_RANGE.dense);
  const questionWeight = ramp(hops, HOPS_RANGE.fewest, HOPS_RANGE.most);
  return { kind: questionKind(q.template), density, hops, mapWeight, questionWeight, weight: mapWeight + questionWeight };
}
