// Lookups the question templates and expert trajectories share: which axis carries values, where
// a value or category sits in pixels, which element draws a datum.
import type { GeneratedData } from "./chartData";
import type { AxisMapping, ChartAnnotations, ChartElement } from "./chartTypes";

export class ChartContext {
  readonly byId = new Map<string, ChartElement>();
  /** The value axis is vertical (everything but horizontal bars). */
  readonly vertical: boolean;
  readonly valueAxis: AxisMapping;
  readonly categoryAxis: AxisMapping;
  readonly multi: boolean;
  readonly span: number;

  constructor(
    readonly a: ChartAnnotations,
    readonly data: GeneratedData,
  ) {
    for (const e of a.elements) this.byId.set(e.id, e);
    this.vertical = a.kind !== "hbar";
    this.valueAxis = this.vertical ? a.axes.y : a.axes.x;
    this.categoryAxis = this.vertical ? a.axes.x : a.axes.y;
    this.multi = a.table.seriesTitle !== null;
    const d = this.valueAxis.domain ?? [0, 1];
    this.span = Math.abs(d[1] - d[0]);
  }

  get isBar(): boolean {
    return this.a.kind === "vbar" || this.a.kind === "hbar" || this.a.kind === "grouped-bar";
  }

  get isLine(): boolean {
    return this.a.kind === "line" || this.a.kind === "multi-line";
  }

  el(id: string): ChartElement {
    const e = this.byId.get(id);
    if (!e) throw new Error(`chart ${this.a.chartId} has no element ${id}`);
    return e;
  }

  datum(series: string, category: string): ChartElement {
    return this.el(`${this.isBar ? "bar" : "point"}:${series}:${category}`);
  }

  value(series: string, category: string): number {
    const r = this.a.table.rows.find((row) => row.series === series && row.category === category);
    if (!r) throw new Error(`no datum ${series}/${category}`);
    return r.value;
  }

  categoryTick(category: string): ChartElement {
    return this.el(`${this.vertical ? "x" : "y"}tick:${category}`);
  }

  legend(series: string): ChartElement {
    return this.el(`legend:${series}`);
  }

  /** Pixel coordinate (y for vertical charts, x for hbar) of a data value. */
  valuePx(v: number): number {
    const m = this.valueAxis;
    const d = m.domain ?? [0, 1];
    return m.range[0] + ((v - d[0]) * (m.range[1] - m.range[0])) / (d[1] - d[0]);
  }

  /** Visible tick labels of the value axis, with numeric values. */
  valueTicks(): ChartElement[] {
    const kind = this.vertical ? "y-tick-label" : "x-tick-label";
    return this.a.elements.filter((e) => e.kind === kind && typeof e.value === "number");
  }

  nearestValueTick(v: number): ChartElement {
    let best: ChartElement | null = null;
    for (const t of this.valueTicks()) if (best === null || Math.abs((t.value as number) - v) < Math.abs((best.value as number) - v)) best = t;
    if (!best) throw new Error("value axis has no tick labels");
    return best;
  }

  /** Values a threshold question may use: tick values and midpoints between ticks, inside the domain. */
  niceLevels(): number[] {
    const ticks = this.valueTicks()
      .map((t) => t.value as number)
      .sort((x, y) => x - y);
    const out: number[] = [];
    for (let i = 0; i < ticks.length; i++) {
      if (i > 0) out.push(ticks[i]);
      if (i + 1 < ticks.length) out.push((ticks[i] + ticks[i + 1]) / 2);
    }
    return out.map((v) => Math.round(v * 1000) / 1000);
  }

  /** Series in the question's sense: [""] for single-series charts. */
  series(): string[] {
    return this.a.table.series;
  }
}

/** "Revenue" -> "revenue", but "FDI" and "GDP" stay. */
export function lowerName(name: string): string {
  return name.length > 1 && name[1] === name[1].toLowerCase() ? name[0].toLowerCase() + name.slice(1) : name;
}

/** Canonical answer text of a number: at most `decimals` decimals, no trailing zeros. */
export function formatAnswerNumber(v: number, decimals: number): string {
  const f = 10 ** decimals;
  return String(Math.round(v * f) / f);
}
