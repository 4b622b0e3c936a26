// Question templates with verifiable answers. Each template lists only instances a careful reader
// can answer unambiguously from the picture: near-ties, thresholds that are never crossed or sit
// on a data value, and year-like numeric answers are rejected here, never shipped.
import { type ChartContext, formatAnswerNumber, lowerName } from "./chartContext";
import type { Rng } from "@sketchvl/seeded-random";

export const QUESTION_TEMPLATES = ["extreme", "value", "threshold-cross", "difference", "count-above", "compare-series"] as const;
export type QuestionTemplate = (typeof QUESTION_TEMPLATES)[number];

export type QuestionParams =
  /** Scatter: `category` is the point id and the answer is its series (colour group). */
  | { template: "extreme"; which: "highest" | "lowest"; series: string; category: string }
  | { template: "value"; series: string; category: string }
  /** `category` is the answer: the first category from which every value is above the threshold. */
  | { template: "threshold-cross"; series: string; threshold: number; category: string }
  | { template: "difference"; series: string; categories: [string, string] }
  | { template: "count-above"; series: string; threshold: number; categories: string[] }
  | { template: "compare-series"; category: string; series: [string, string]; winner: string };

export interface ChartQuestion {
  id: string;
  chartId: string;
  template: QuestionTemplate;
  question: string;
  /** Canonical answer; grade with relaxedAccuracy. */
  answer: string;
  params: QuestionParams;
}

type Draft = Omit<ChartQuestion, "id" | "chartId">;

/** Values closer than this share of the value axis are "visually tied". */
const MARGIN = 0.03;
const MAX_COUNT = 5;

function looksLikeYear(answer: string): boolean {
  return /^(1[89]\d\d|20\d\d|2100)$/.test(answer);
}

function extreme(ctx: ChartContext): Draft[] {
  const out: Draft[] = [];
  const m = MARGIN * ctx.span;
  const name = ctx.data.valuePhrase;
  const noun = ctx.data.categoryNoun;
  if (ctx.a.kind === "scatter") {
    const rows = ctx.a.table.rows;
    for (const which of ["highest", "lowest"] as const) {
      const sorted = rows.slice().sort((p, q) => (which === "highest" ? q.value - p.value : p.value - q.value));
      if (sorted.length < 2 || Math.abs(sorted[0].value - sorted[1].value) < m) continue;
      const q = `Which ${lowerName(ctx.a.table.seriesTitle ?? "group")} does the point with the ${which} ${name} belong to?`;
      out.push({
        template: "extreme",
        question: q,
        answer: sorted[0].series,
        params: { template: "extreme", which, series: sorted[0].series, category: sorted[0].category },
      });
    }
    return out;
  }
  for (const s of ctx.series()) {
    const rows = ctx.a.table.rows.filter((r) => r.series === s);
    for (const which of ["highest", "lowest"] as const) {
      const sorted = rows.slice().sort((p, q) => (which === "highest" ? q.value - p.value : p.value - q.value));
      if (Math.abs(sorted[0].value - sorted[1].value) < m) continue;
      const cat = sorted[0].category;
      let q: string;
      if (ctx.isLine) q = ctx.multi ? `In which ${noun} did ${s} reach its ${which} ${name}?` : `In which ${noun} was the ${name} ${which}?`;
      else q = ctx.multi ? `Which ${noun} has the ${which} ${name} for ${s}?` : `Which ${noun} has the ${which} ${name}?`;
      out.push({ template: "extreme", question: q, answer: cat, params: { template: "extreme", which, series: s, category: cat } });
    }
  }
  return out;
}

function value(ctx: ChartContext): Draft[] {
  if (ctx.a.kind === "scatter") return [];
  const name = ctx.data.valuePhrase;
  const out: Draft[] = [];
  for (const r of ctx.a.table.rows) {
    const answer = formatAnswerNumber(r.value, ctx.data.decimals);
    if (looksLikeYear(answer) || r.value === 0) continue;
    let q: string;
    if (ctx.isLine) q = ctx.multi ? `What was the ${name} of ${r.series} in ${r.category}?` : `What was the ${name} in ${r.category}?`;
    else q = ctx.multi ? `What is the ${name} of ${r.category} for ${r.series}?` : `What is the ${name} of ${r.category}?`;
    out.push({ template: "value", question: q, answer, params: { template: "value", series: r.series, category: r.category } });
  }
  return out;
}

function thresholdCross(ctx: ChartContext): Draft[] {
  if (!ctx.isLine) return [];
  const m = MARGIN * ctx.span;
  const out: Draft[] = [];
  for (const s of ctx.series()) {
    const vals = ctx.a.table.categories.map((c) => ctx.value(s, c));
    for (const t of ctx.niceLevels()) {
      if (vals.some((v) => Math.abs(v - t) < m)) continue; // a point sitting on the line is ambiguous
      let first = vals.length;
      while (first > 0 && vals[first - 1] > t) first--;
      // Never above at the end, or above from the start: nothing to find.
      if (first >= vals.length || first === 0) continue;
      const cat = ctx.a.table.categories[first];
      const who = ctx.multi ? s : `the ${ctx.data.valuePhrase}`;
      const q = `In which ${ctx.data.categoryNoun} did ${who} first rise above ${t} and stay above it afterwards?`;
      out.push({ template: "threshold-cross", question: q, answer: cat, params: { template: "threshold-cross", series: s, threshold: t, category: cat } });
    }
  }
  return out;
}

function difference(ctx: ChartContext, rng: Rng): Draft[] {
  if (ctx.a.kind === "scatter") return [];
  const out: Draft[] = [];
  const name = ctx.data.valuePhrase;
  const cats = ctx.a.table.categories;
  for (const s of ctx.series()) {
    for (let tries = 0; tries < 6; tries++) {
      const [c1, c2] = rng.sample(cats, 2);
      const d = Math.abs(ctx.value(s, c1) - ctx.value(s, c2));
      const answer = formatAnswerNumber(d, ctx.data.decimals);
      if (d < 0.1 * ctx.span || looksLikeYear(answer)) continue;
      const q = ctx.multi
        ? `What is the difference in ${name} between ${c1} and ${c2} for ${s}?`
        : `What is the difference in ${name} between ${c1} and ${c2}?`;
      out.push({ template: "difference", question: q, answer, params: { template: "difference", series: s, categories: [c1, c2] } });
      break;
    }
  }
  return out;
}

function countAbove(ctx: ChartContext): Draft[] {
  if (ctx.a.kind === "grouped-bar") return []; // one series of bars at a time reads badly when groups interleave
  const m = MARGIN * ctx.span;
  const out: Draft[] = [];
  const name = ctx.data.valuePhrase;
  for (const s of ctx.a.kind === "scatter" ? [""] : ctx.series()) {
    const rows = ctx.a.table.rows.filter((r) => ctx.a.kind === "scatter" || r.series === s);
    for (const t of ctx.niceLevels()) {
      if (rows.some((r) => Math.abs(r.value - t) < m)) continue;
      const above = rows.filter((r) => r.value > t).map((r) => r.category);
      if (above.length === 0 || above.length > MAX_COUNT || above.length === rows.length) continue;
      const plural = ctx.data.categoryPlural;
      let q: string;
      if (ctx.a.kind === "scatter") q = `How many points have a ${name} above ${t}?`;
      else if (ctx.isLine) q = `In how many ${plural} was ${ctx.multi ? `the ${name} of ${s}` : `the ${name}`} above ${t}?`;
      else q = `How many ${plural} have a ${name} above ${t}?`;
      out.push({
        template: "count-above",
        question: q,
        answer: String(above.length),
        params: { template: "count-above", series: s, threshold: t, categories: above },
      });
    }
  }
  return out;
}

function compareSeries(ctx: ChartContext, rng: Rng): Draft[] {
  if (!ctx.multi || ctx.a.kind === "scatter") return [];
  const m = MARGIN * ctx.span;
  const out: Draft[] = [];
  const name = ctx.data.valuePhrase;
  for (const c of ctx.a.table.categories) {
    const [a, b] = rng.sample(ctx.series(), 2);
    const va = ctx.value(a, c);
    const vb = ctx.value(b, c);
    if (Math.abs(va - vb) < m) continue;
    const winner = va > vb ? a : b;
    const which = lowerName(ctx.a.table.seriesTitle ?? "series");
    const q = ctx.isLine ? `In ${c}, which had the higher ${name}: ${a} or ${b}?` : `For ${c}, which ${which} has the higher ${name}: ${a} or ${b}?`;
    out.push({ template: "compare-series", question: q, answer: winner, params: { template: "compare-series", category: c, series: [a, b], winner } });
  }
  return out;
}

/** Every valid instance of each template on this chart (some templates sample a few pairs). */
export function candidateQuestions(ctx: ChartContext, rng: Rng): Map<QuestionTemplate, Draft[]> {
  return new Map<QuestionTemplate, Draft[]>([
    ["extreme", extreme(ctx)],
    ["value", value(ctx)],
    ["threshold-cross", thresholdCross(ctx)],
    ["difference", difference(ctx, rng)],
    ["count-above", countAbove(ctx)],
    ["compare-series", compareSeries(ctx, rng)],
  ]);
}

/** Up to `max` questions on distinct templates where possible, chosen by `rng`. */
export function pickQuestions(ctx: ChartContext, rng: Rng, max: number): ChartQuestion[] {
  const byTemplate = candidateQuestions(ctx, rng);
  const templates = rng.shuffle(QUESTION_TEMPLATES.filter((t) => (byTemplate.get(t) ?? []).length > 0));
  const drafts: Draft[] = [];
  for (let round = 0; drafts.length < max && round < 3; round++) {
    for (const t of templates) {
      if (drafts.length >= max) break;
      const pool = (byTemplate.get(t) ?? []).filter((d) => !drafts.some((x) => x.question === d.question));
      if (pool.length > 0) drafts.push(rng.pick(pool));
    }
  }
  return drafts.map((d, i) => ({ ...d, id: `${ctx.a.chartId}:q${i}`, chartId: ctx.a.chartId }));
}

// Re-exported for templates' callers that format numbers the same way.
export { formatAnswerNumber };
