// FinePRM training data in the paper's recipe: expert steps plus noise-injected variants
// (shifted, resized, rotated, wrong element, wrong action type), labelled by the reference scorer,
// then sampled to Excellent:Acceptable:Poor:Unacceptable = 2:4:3:1 with the four non-Text action
// types balanced 1:1:1:1.
import { actionNameOf, type DrawingAction, type MarkName, PRM_LABEL_NAMES, prmLabelLevel, type PrmLabelName } from "@sketchvl/contract";
import { Rng } from "@sketchvl/seeded-random";
import { formatSketchVLAction } from "@sketchvl/steps";
import type { ChartAnnotations, ChartKind, Split } from "./chartTypes";
import { iterateExamples } from "./chartworld";
import type { Pt } from "./geometry";
import { scoreStep } from "./scoreStep";
import { markNameOfShape, SCORED_ACTION_TYPES, shapeToAction, type PixelShape } from "./actionShapes";
import type { StepTarget, TargetShape } from "./stepTarget";

export const NOISE_KINDS = ["expert", "jitter", "shift", "far-shift", "resize", "rotate", "wrong-element", "wrong-type"] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

export interface PrmSample {
  id: string;
  chartId: string;
  /** Regenerate the chart with generateChart(chartSeed, chartKind). */
  chartSeed: number;
  chartKind: ChartKind;
  split: Split;
  questionId: string;
  question: string;
  stepIndex: number;
  intent: string;
  /** Expert actions of the earlier steps: before-image = chart + these, after-image = before + action. */
  priorActions: DrawingAction[];
  action: DrawingAction;
  /** The action as SketchVL text ("#Draw Box, [..], Red"). */
  actionText: string;
  /** The action's kind, by the contract's name. */
  actionType: MarkName;
  noise: NoiseKind;
  label: PrmLabelName;
  score: number;
  target: StepTarget;
}

export const PAPER_LABEL_RATIO: Readonly<Record<PrmLabelName, number>> = { excellent: 2, acceptable: 4, poor: 3, unacceptable: 1 };

function translate(s: TargetShape, dx: number, dy: number): TargetShape {
  switch (s.type) {
    case "box":
      return { type: "box", box: { x1: s.box.x1 + dx, y1: s.box.y1 + dy, x2: s.box.x2 + dx, y2: s.box.y2 + dy } };
    case "point":
      return { type: "point", at: { x: s.at.x + dx, y: s.at.y + dy } };
    case "circle":
      return { type: "circle", center: { x: s.center.x + dx, y: s.center.y + dy }, r: s.r };
    case "line":
      return { type: "line", p1: { x: s.p1.x + dx, y: s.p1.y + dy }, p2: { x: s.p2.x + dx, y: s.p2.y + dy } };
  }
}

function center(s: TargetShape): Pt {
  switch (s.type) {
    case "box":
      return { x: (s.box.x1 + s.box.x2) / 2, y: (s.box.y1 + s.box.y2) / 2 };
    case "point":
      return s.at;
    case "circle":
      return s.center;
    case "line":
      return { x: (s.p1.x + s.p2.x) / 2, y: (s.p1.y + s.p2.y) / 2 };
  }
}

/** Rough size of a shape, for converting it into another type. */
function extent(s: TargetShape, u: number): number {
  switch (s.type) {
    case "box":
      return Math.max(s.box.x2 - s.box.x1, s.box.y2 - s.box.y1) / 2;
    case "circle":
      return s.r;
    case "line":
      return Math.hypot(s.p2.x - s.p1.x, s.p2.y - s.p1.y) / 2;
    case "point":
      return u;
  }
}

function moveBy(rng: Rng, s: TargetShape, lo: number, hi: number): TargetShape {
  const r = rng.float(lo, hi);
  const a = rng.float(0, 2 * Math.PI);
  return translate(s, r * Math.cos(a), r * Math.sin(a));
}

function resize(rng: Rng, s: TargetShape, u: number): TargetShape {
  const c = center(s);
  switch (s.type) {
    case "box": {
      const hw = ((s.box.x2 - s.box.x1) / 2) * rng.float(0.4, 2.2);
      const hh = ((s.box.y2 - s.box.y1) / 2) * rng.float(0.4, 2.2);
      return { type: "box", box: { x1: c.x - hw, y1: c.y - hh, x2: c.x + hw, y2: c.y + hh } };
    }
    case "circle":
      return { type: "circle", center: c, r: s.r * rng.pick([rng.float(0.25, 0.8), rng.float(1.3, 4)]) };
    case "line": {
      const f = rng.float(0.15, 1.3);
      return { type: "line", p1: s.p1, p2: { x: s.p1.x + (s.p2.x - s.p1.x) * f, y: s.p1.y + (s.p2.y - s.p1.y) * f } };
    }
    case "point":
      return moveBy(rng, s, 2 * u, 6 * u);
  }
}

function rotate(rng: Rng, s: TargetShape, u: number): TargetShape {
  if (s.type !== "line") return moveBy(rng, s, u, 4 * u);
  const c = center(s);
  const a = (rng.float(3, 30) * Math.PI * (rng.bool() ? 1 : -1)) / 180;
  const rot = (p: Pt): Pt => ({
    x: c.x + (p.x - c.x) * Math.cos(a) - (p.y - c.y) * Math.sin(a),
    y: c.y + (p.x - c.x) * Math.sin(a) + (p.y - c.y) * Math.cos(a),
  });
  return { type: "line", p1: rot(s.p1), p2: rot(s.p2) };
}

function wrongElement(rng: Rng, a: ChartAnnotations, t: StepTarget, u: number): TargetShape {
  const rivals = a.elements.filter((e) => e.kind === t.rivalKind && e.id !== t.elementId);
  if (rivals.length === 0) return moveBy(rng, t.shape, 6 * u, 15 * u);
  const r = rng.pick(rivals);
  const s = t.shape;
  const own = t.elementId ? a.elements.find((e) => e.id === t.elementId) : undefined;
  switch (s.type) {
    case "box":
      return { type: "box", box: r.box };
    case "point":
      return { type: "point", at: r.anchor };
    case "circle":
      return { type: "circle", center: r.anchor, r: s.r };
    case "line":
      return own ? translate(s, r.anchor.x - own.anchor.x, r.anchor.y - own.anchor.y) : moveBy(rng, s, 6 * u, 15 * u);
  }
}

function wrongType(rng: Rng, s: TargetShape, u: number): TargetShape {
  const c = center(s);
  const e = Math.max(extent(s, u), u);
  const to = rng.pick(SCORED_ACTION_TYPES.filter((x) => x !== markNameOfShape(s.type)));
  if (to === "rectangle") return { type: "box", box: { x1: c.x - e, y1: c.y - e * 0.6, x2: c.x + e, y2: c.y + e * 0.6 } };
  if (to === "point") return { type: "point", at: c };
  if (to === "circle") return { type: "circle", center: c, r: e };
  return { type: "line", p1: { x: c.x - e, y: c.y }, p2: { x: c.x + e, y: c.y } };
}

/** One noisy (or exact) version of the expert's mark for `target`. */
export function injectNoise(rng: Rng, a: ChartAnnotations, target: StepTarget, kind: NoiseKind): PixelShape {
  const u = Math.hypot(a.width, a.height) * 0.01;
  const s = target.shape;
  switch (kind) {
    case "expert":
      return s;
    case "jitter":
      return translate(s, rng.normal() * 0.6 * u, rng.normal() * 0.6 * u);
    case "shift":
      return moveBy(rng, s, 1.2 * u, 5 * u);
    case "far-shift":
      return moveBy(rng, s, 5 * u, 15 * u);
    case "resize":
      return resize(rng, s, u);
    case "rotate":
      return rotate(rng, s, u);
    case "wrong-element":
      return wrongElement(rng, a, target, u);
    case "wrong-type":
      return wrongType(rng, s, u);
  }
}

export interface PrmDatasetOptions {
  split: Split;
  /** Samples to produce. */
  count: number;
  offset?: number;
  questionsPerChart?: number;
  /** Label ratio; default the paper's 2:4:3:1. */
  ratio?: Readonly<Record<PrmLabelName, number>>;
  /** Noisy variants tried per expert step. Default 10. */
  variantsPerStep?: number;
  /** Stop (and throw) after this many charts if the quotas are still not filled. Default count. */
  maxCharts?: number;
}

/** Quotas per (action type, label), summing to `count` (largest remainder rounding). */
export function prmQuotas(count: number, ratio: Readonly<Record<PrmLabelName, number>> = PAPER_LABEL_RATIO): Map<string, number> {
  const total = PRM_LABEL_NAMES.reduce((s, l) => s + ratio[l], 0);
  const cells: { key: string; exact: number }[] = [];
  for (const t of SCORED_ACTION_TYPES)
    for (const l of PRM_LABEL_NAMES) cells.push({ key: `${t}/${l}`, exact: (count * ratio[l]) / total / SCORED_ACTION_TYPES.length });
  const q = new Map(cells.map((c) => [c.key, Math.floor(c.exact)]));
  let left = count - [...q.values()].reduce((s, v) => s + v, 0);
  for (const c of cells.slice().sort((x, y) => (y.exact % 1) - (x.exact % 1))) {
    if (left-- <= 0) break;
    q.set(c.key, (q.get(c.key) ?? 0) + 1);
  }
  return q;
}

/** A labelled, ratio-balanced PRM training set (deterministic for the same options). */
export async function generatePrmDataset(opts: PrmDatasetOptions): Promise<PrmSample[]> {
  const quotas = prmQuotas(opts.count, opts.ratio);
  const filled = new Map<string, number>();
  const out: PrmSample[] = [];
  const variants = opts.variantsPerStep ?? 10;
  const maxCharts = opts.maxCharts ?? Math.max(50, opts.count);
  let charts = 0;
  for await (const ex of iterateExamples({ split: opts.split, count: maxCharts, offset: opts.offset, questionsPerChart: opts.questionsPerChart })) {
    charts++;
    const a = ex.chart.annotations;
    const rng = new Rng(ex.chart.seed, "prm");
    ex.trajectories.forEach((traj, qi) => {
      const q = ex.questions[qi];
      traj.steps.forEach((step, si) => {
        const kinds: NoiseKind[] = ["expert", ...Array.from({ length: variants - 1 }, () => rng.pick(NOISE_KINDS.slice(1)))];
        kinds.forEach((noise, vi) => {
          const shape = injectNoise(rng, a, step.target, noise);
          const action = shapeToAction(shape, a, step.action.color);
          const type = actionNameOf(action) as MarkName;
          const label = scoreStep(a, step.target, action);
          const key = `${type}/${label}`;
          const have = filled.get(key) ?? 0;
          if (have >= (quotas.get(key) ?? 0)) return;
          filled.set(key, have + 1);
          out.push({
            id: `${q.id}:s${si}:v${vi}`,
            chartId: ex.chart.id,
            chartSeed: ex.chart.seed,
            chartKind: ex.chart.kind,
            split: ex.chart.split,
            questionId: q.id,
            question: q.question,
            stepIndex: si,
            intent: step.intent,
            priorActions: traj.steps.slice(0, si).map((s) => s.action),
            action,
            actionText: formatSketchVLAction(action),
            actionType: type,
            noise,
            label,
            score: prmLabelLevel(label).score,
            target: step.target,
          });
        });
      });
    });
    if (out.length >= opts.count) break;
  }
  if (out.length < opts.count) {
    const missing = [...quotas].filter(([k, v]) => (filled.get(k) ?? 0) < v).map(([k, v]) => `${k} ${filled.get(k) ?? 0}/${v}`);
    throw new Error(`PRM quotas not filled after ${charts} charts: ${missing.join(", ")}`);
  }
  return new Rng(opts.count, `prm-shuffle:${opts.split}:${opts.offset ?? 0}`).shuffle(out);
}
