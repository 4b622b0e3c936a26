// Expert RoI trajectories: for each question, the marks a careful reader would draw (box the
// legend entry, draw the threshold, drop a line from the crossing, point at the tick label), each
// with the structured target it must hit, then the answer.
import type { DrawingAction } from "@sketchvl/contract";
import type { ChartContext } from "./chartContext";
import { formatAnswerNumber } from "./chartContext";
import type { ChartElement, ElementKind } from "./chartTypes";
import type { Pt } from "./geometry";
import { colorOf } from "./drawActions";
import type { ChartQuestion } from "./questions";
import { formatSketchVLStep } from "@sketchvl/steps";
import { shapeToAction } from "./actionShapes";
import type { StepTarget, TargetShape } from "./stepTarget";

export interface ExpertStep {
  deduction: string;
  intent: string;
  target: StepTarget;
  /** The expert's action, NORM_1000 integer coordinates as written in `text`. */
  action: DrawingAction;
  /** The step's SketchVL lines (Deduction / Intent / Action). */
  text: string;
}

export interface ExpertTrajectory {
  questionId: string;
  steps: ExpertStep[];
  answer: string;
  /** The whole response: the steps, then "Answer: ...". */
  text: string;
}

const COLORS = ["Red", "Blue", "Green"];

function rgbDistance(a: string, b: string): number {
  const c = (h: string, i: number): number => parseInt(h.slice(1 + 2 * i, 3 + 2 * i), 16);
  return Math.hypot(c(a, 0) - c(b, 0), c(a, 1) - c(b, 1), c(a, 2) - c(b, 2));
}

/** Cycle Red / Blue / Green, skipping a colour too close to the marked element's own (a red box on a red bar is invisible). */
function markColor(index: number, elementColor: string | undefined): string {
  for (let k = 0; k < COLORS.length; k++) {
    const name = COLORS[(index + k) % COLORS.length];
    if (!elementColor || !/^#[0-9a-f]{6}$/i.test(elementColor) || rgbDistance(colorOf(name), elementColor) >= 140) return name;
  }
  return COLORS[index % COLORS.length];
}

class Plan {
  readonly steps: { deduction: string; intent: string; target: StepTarget }[] = [];
  constructor(readonly ctx: ChartContext) {}

  private add(deduction: string, intent: string, shape: TargetShape, elementId: string | null, rivalKind: ElementKind | null): void {
    this.steps.push({ deduction, intent, target: { shape, elementId, rivalKind } });
  }

  box(e: ChartElement, intent: string, deduction = ""): void {
    this.add(deduction, intent, { type: "box", box: e.box }, e.id, e.kind);
  }

  point(e: ChartElement, intent: string, deduction = ""): void {
    this.add(deduction, intent, { type: "point", at: e.anchor }, e.id, e.kind);
  }

  circle(e: ChartElement, intent: string, deduction = ""): void {
    const r = Math.max(0.5 * Math.max(e.box.x2 - e.box.x1, e.box.y2 - e.box.y1) + 3, 6);
    this.add(deduction, intent, { type: "circle", center: e.anchor, r }, e.id, e.kind);
  }

  line(p1: Pt, p2: Pt, intent: string, deduction = "", element: ChartElement | null = null): void {
    // A point lying on the axis needs no drop line: a near-zero line cannot be drawn or graded.
    if (Math.hypot(p2.x - p1.x, p2.y - p1.y) < 8) return;
    this.add(deduction, intent, { type: "line", p1, p2 }, element?.id ?? null, element?.kind ?? null);
  }

  /** A line at data value v across the whole plot (horizontal unless bars are horizontal). */
  level(v: number, intent: string, deduction = ""): void {
    const p = this.ctx.a.plotArea;
    const c = this.ctx.valuePx(v);
    if (this.ctx.vertical) this.line({ x: p.x1, y: c }, { x: p.x2, y: c }, intent, deduction);
    else this.line({ x: c, y: p.y2 }, { x: c, y: p.y1 }, intent, deduction);
  }

  /** A line from the value axis to the datum's value end (reading its value). */
  toValueAxis(e: ChartElement, intent: string, deduction = ""): void {
    const p = this.ctx.a.plotArea;
    if (this.ctx.vertical) this.line({ x: p.x1, y: e.anchor.y }, { x: e.anchor.x, y: e.anchor.y }, intent, deduction);
    else this.line({ x: e.anchor.x, y: p.y2 }, { x: e.anchor.x, y: e.anchor.y }, intent, deduction);
  }

  /** A line from a line-chart point straight down to the category axis; identifies the category. */
  dropToCategory(e: ChartElement, tick: ChartElement, intent: string, deduction = ""): void {
    this.line({ x: e.anchor.x, y: e.anchor.y }, { x: e.anchor.x, y: this.ctx.a.plotArea.y2 }, intent, deduction, tick);
  }

  /** A line across the plot at a category (for comparing series there). */
  acrossCategory(tick: ChartElement, intent: string, deduction = ""): void {
    const p = this.ctx.a.plotArea;
    this.line({ x: tick.anchor.x, y: p.y1 }, { x: tick.anchor.x, y: p.y2 }, intent, deduction, tick);
  }
}

function markDatum(plan: Plan, e: ChartElement, what: string, deduction = ""): void {
  if (plan.ctx.isBar) plan.box(e, `Box the ${what} bar`, deduction);
  else plan.circle(e, `Circle the ${what} point`, deduction);
}

function legendStep(plan: Plan, series: string): void {
  if (plan.ctx.multi && series !== "")
    plan.box(plan.ctx.legend(series), `Box the ${series} legend entry`, `The question is about ${series}, so I first find its colour in the legend.`);
}

function tickIntent(e: ChartElement): string {
  return `Point at the ${e.kind === "x-tick-label" ? "x" : "y"}-axis label ${e.text}`;
}

function plan(ctx: ChartContext, q: ChartQuestion): Plan {
  const p = new Plan(ctx);
  const name = ctx.data.valuePhrase;
  const par = q.params;
  switch (par.template) {
    case "extreme": {
      if (ctx.a.kind === "scatter") {
        const e = ctx.el(`point:${par.series}:${par.category}`);
        p.circle(e, `Circle the ${par.which} point`, `I look for the point with the ${par.which} ${name}.`);
        const y = e.anchor.y;
        p.line(
          { x: ctx.a.plotArea.x1, y },
          { x: ctx.a.plotArea.x2, y },
          `Draw a horizontal line through the ${par.which} point`,
          `No other point lies ${par.which === "highest" ? "above" : "below"} this line.`,
        );
        p.box(ctx.legend(par.series), `Box the ${par.series} legend entry`, `The point's colour matches ${par.series} in the legend.`);
        break;
      }
      legendStep(p, par.series);
      const e = ctx.datum(par.series, par.category);
      const word = ctx.isBar ? (par.which === "highest" ? (ctx.vertical ? "tallest" : "longest") : "shortest") : par.which;
      markDatum(
        p,
        e,
        `${word}${ctx.multi && ctx.isBar ? ` ${par.series}` : ""}`,
        `I compare the ${ctx.isBar ? "bars" : "points"} and find the ${par.which} one.`,
      );
      const v = ctx.value(par.series, par.category);
      if (ctx.isBar)
        p.level(v, `Draw a line at the end of that bar across the plot`, `Every other bar stays ${par.which === "highest" ? "below" : "above"} this level.`);
      else p.dropToCategory(e, ctx.categoryTick(par.category), `Draw a line from that point down to the x-axis`, "");
      const tick = ctx.categoryTick(par.category);
      p.point(tick, tickIntent(tick), `The ${par.which} value is at ${par.category}.`);
      break;
    }
    case "value": {
      legendStep(p, par.series);
      const tick = ctx.categoryTick(par.category);
      p.point(tick, tickIntent(tick), `I locate ${par.category} on the ${ctx.vertical ? "x" : "y"}-axis.`);
      const e = ctx.datum(par.series, par.category);
      markDatum(p, e, `${par.category}${ctx.multi ? ` ${par.series}` : ""}`);
      p.toValueAxis(e, `Draw a line from the end of that ${ctx.isBar ? "bar" : "point"} to the value axis`, "I read its value off the value axis.");
      const near = ctx.nearestValueTick(ctx.value(par.series, par.category));
      p.point(near, tickIntent(near), `The value is close to the ${near.text} tick.`);
      break;
    }
    case "threshold-cross": {
      legendStep(p, par.series);
      p.level(
        par.threshold,
        `Draw a horizontal line at ${par.threshold} on the y-axis`,
        `The threshold is ${par.threshold}, so I mark that level across the plot.`,
      );
      const e = ctx.datum(par.series, par.category);
      p.circle(
        e,
        `Circle the point where ${par.series || "the line"} rises above ${par.threshold} for good`,
        `After this point the line never falls back below ${par.threshold}.`,
      );
      const tick = ctx.categoryTick(par.category);
      p.dropToCategory(e, tick, "Draw a vertical line from that point down to the x-axis");
      p.point(tick, tickIntent(tick), `The line meets the x-axis at ${par.category}.`);
      break;
    }
    case "difference": {
      legendStep(p, par.series);
      for (const c of par.categories) {
        const e = ctx.datum(par.series, c);
        markDatum(p, e, c, `I need the value of ${c}.`);
        p.toValueAxis(e, `Draw a line from the ${c} ${ctx.isBar ? "bar" : "point"} to the value axis`);
      }
      break;
    }
    case "count-above": {
      p.level(par.threshold, `Draw a line at ${par.threshold} across the plot`, `I mark the level ${par.threshold} and count what lies above it.`);
      for (const c of par.categories) {
        const e = ctx.a.kind === "scatter" ? ctx.el(`point:${ctx.a.table.rows.find((r) => r.category === c)?.series}:${c}`) : ctx.datum(par.series, c);
        if (ctx.isBar) p.box(e, `Box the ${c} bar, which passes the line`);
        else p.circle(e, ctx.isLine ? `Circle the ${c} point, which is above the line` : "Circle a point above the line");
      }
      break;
    }
    case "compare-series": {
      for (const s of par.series) p.box(ctx.legend(s), `Box the ${s} legend entry`, `I find the colour of ${s}.`);
      const tick = ctx.categoryTick(par.category);
      if (ctx.isLine) p.acrossCategory(tick, `Draw a vertical line at ${par.category}`, `I compare the two lines at ${par.category}.`);
      for (const s of par.series) markDatum(p, ctx.datum(s, par.category), `${par.category} ${s}`);
      break;
    }
  }
  return p;
}

/** The expert trajectory for `q` on the chart of `ctx`. */
export function expertTrajectory(ctx: ChartContext, q: ChartQuestion): ExpertTrajectory {
  const size = { width: ctx.a.width, height: ctx.a.height };
  const steps: ExpertStep[] = plan(ctx, q).steps.map((s, i) => {
    const color = markColor(i, s.target.elementId ? ctx.byId.get(s.target.elementId)?.color : undefined);
    const action = shapeToAction(s.target.shape, size, color);
    return { ...s, action, text: formatSketchVLStep(i + 1, s.deduction, s.intent, action) };
  });
  const text = [...steps.map((s) => s.text), `Answer: ${q.answer}`].join("\n");
  return { questionId: q.id, steps, answer: q.answer, text };
}

export { formatAnswerNumber };
