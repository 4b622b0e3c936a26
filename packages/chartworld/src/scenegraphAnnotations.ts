// biome-ignore-all lint/suspicious/noExplicitAny: Vega's scenegraph items are untyped objects; this file reads them
// Reads every element's pixel geometry out of a Vega scenegraph. Scenegraph coordinates are
// relative to each group item, and the SVG (so the PNG) is shifted by the view's padding plus its
// origin (room made for axes and legends), so we accumulate group offsets from that base.
import type { AxisMapping, ChartAnnotations, ChartElement, ChartKind, DataTable } from "./chartTypes";
import { boxCenter, boxOf, roundBox, unionBox, type Box, type Pt } from "./geometry";

/* eslint-disable @typescript-eslint/no-explicit-any -- the scenegraph is untyped in vega's d.ts */
type SceneMark = { marktype: string; role?: string; name?: string; items: any[] };

interface Collected {
  bars: any[];
  symbols: any[];
  lines: any[][]; // one array of vertices per series path
  ticks: { axis: "x" | "y"; item: any }[];
  axisTitles: { axis: "x" | "y"; item: any }[];
  legendParts: Map<string, { symbol?: any; label?: any }>;
  legendBox: Box | null;
  legendTitle: string | null;
  chartTitle: any | null;
}

/** Absolute copy of the fields we need, so collected items no longer depend on their group. */
function abs(item: any, ox: number, oy: number): any {
  const b = item.bounds;
  return { ...item, ax: ox + (item.x ?? 0), ay: oy + (item.y ?? 0), box: boxOf(ox + b.x1, oy + b.y1, ox + b.x2, oy + b.y2) };
}

function visible(item: any): boolean {
  return item.opacity === undefined || item.opacity > 0;
}

function walk(mark: SceneMark, ox: number, oy: number, axis: "x" | "y" | null, c: Collected): void {
  const role = mark.role ?? "";
  for (const item of mark.items) {
    if (!visible(item)) continue;
    if (mark.marktype === "group") {
      let childAxis = axis;
      if (role === "axis") childAxis = item.datum?.scale === "y" ? "y" : item.datum?.scale === "x" ? "x" : null;
      if (role === "legend") {
        const b = item.bounds;
        c.legendBox = boxOf(ox + b.x1, oy + b.y1, ox + b.x2, oy + b.y2);
      }
      const gx = ox + (item.x ?? 0);
      const gy = oy + (item.y ?? 0);
      if (mark.name?.endsWith("pathgroup") || role === "scope") {
        // One path group per series: collect its line vertices together.
        for (const child of item.items ?? []) {
          if (child.marktype === "line" && child.role === "mark") {
            c.lines.push(child.items.filter(visible).map((it: any) => abs(it, gx, gy)));
          } else walk(child, gx, gy, childAxis, c);
        }
      } else {
        for (const child of item.items ?? []) walk(child, gx, gy, childAxis, c);
      }
      continue;
    }
    if (role === "mark" && mark.marktype === "rect") c.bars.push(abs(item, ox, oy));
    else if (role === "mark" && mark.marktype === "symbol") c.symbols.push(abs(item, ox, oy));
    else if (role === "axis-label" && axis) c.ticks.push({ axis, item: abs(item, ox, oy) });
    else if (role === "axis-title" && axis) c.axisTitles.push({ axis, item: abs(item, ox, oy) });
    else if (role === "legend-symbol" || role === "legend-label") {
      const key = String(item.datum?.value);
      const part = c.legendParts.get(key) ?? {};
      if (role === "legend-symbol") part.symbol = abs(item, ox, oy);
      else part.label = abs(item, ox, oy);
      c.legendParts.set(key, part);
    } else if (role === "legend-title") c.legendTitle = String(item.text ?? "");
    else if (role === "title-text") c.chartTitle = abs(item, ox, oy);
  }
  if (mark.marktype === "line" && role === "mark" && !mark.name?.includes("pathgroup")) {
    // Single-series line: the line mark sits directly in the frame.
    c.lines.push(mark.items.filter(visible).map((it: any) => abs(it, ox, oy)));
  }
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

function axisMapping(view: any, channel: "x" | "y", title: string | null, offset: number): AxisMapping {
  const scale = view.scale(channel);
  const range = scale.range() as number[];
  const orient = channel === "x" ? "bottom" : "left";
  if (typeof scale.bandwidth === "function") {
    const categories = (scale.domain() as unknown[]).map(String);
    const bw = scale.bandwidth() as number;
    return {
      channel,
      orient,
      title,
      scale: bw > 0 ? "band" : "point",
      range: [round2(range[0] + offset), round2(range[1] + offset)],
      categories,
      centers: categories.map((cat) => round2(offset + scale(cat) + bw / 2)),
      ...(bw > 0 ? { bandwidth: bw } : {}),
    };
  }
  const d = scale.domain() as number[];
  return { channel, orient, title, scale: "linear", range: [round2(range[0] + offset), round2(range[1] + offset)], domain: [d[0], d[d.length - 1]] };
}

/** Raised when a rendered chart fails a sanity check; the generator skips such seeds. */
export class ChartRejected extends Error {}

export function extractAnnotations(view: any, kind: ChartKind, table: DataTable, chartId: string, size: { width: number; height: number }): ChartAnnotations {
  const padding = view.padding();
  const origin = view.origin() as [number, number];
  const ox = padding.left + origin[0];
  const oy = padding.top + origin[1];
  const c: Collected = {
    bars: [],
    symbols: [],
    lines: [],
    ticks: [],
    axisTitles: [],
    legendParts: new Map(),
    legendBox: null,
    legendTitle: null,
    chartTitle: null,
  };
  const root = view.scenegraph().root as SceneMark;
  walk(root, ox, oy, null, c);

  const elements: ChartElement[] = [];
  const plotArea = boxOf(ox, oy, ox + view.width(), oy + view.height());
  const horizontal = kind === "hbar";

  for (const b of c.bars) {
    const d = b.datum;
    const box = boxOf(b.ax, b.ay, b.ax + b.width, b.ay + b.height);
    const anchor = horizontal ? { x: box.x2, y: (box.y1 + box.y2) / 2 } : { x: (box.x1 + box.x2) / 2, y: box.y1 };
    elements.push({ id: `bar:${d.series}:${d.category}`, kind: "bar", box, anchor, series: d.series, category: d.category, value: d.value, color: b.fill });
  }

  const symbolByKey = new Map<string, any>();
  for (const s of c.symbols) symbolByKey.set(`${s.datum.series}:${s.datum.category}`, s);
  const pointBox = (p: Pt, sym: any, stroke: number): Box => (sym ? sym.box : boxOf(p.x - stroke - 1, p.y - stroke - 1, p.x + stroke + 1, p.y + stroke + 1));
  if (kind === "scatter") {
    for (const s of c.symbols) {
      const d = s.datum;
      elements.push({
        id: `point:${d.series}:${d.category}`,
        kind: "point",
        box: s.box,
        anchor: { x: s.ax, y: s.ay },
        series: d.series,
        category: d.category,
        value: d.value,
        color: s.fill,
      });
    }
  }
  for (const path of c.lines) {
    for (let i = 0; i < path.length; i++) {
      const v = path[i];
      const d = v.datum;
      const p = { x: v.ax, y: v.ay };
      const stroke = v.strokeWidth ?? 2;
      elements.push({
        id: `point:${d.series}:${d.category}`,
        kind: "point",
        box: pointBox(p, symbolByKey.get(`${d.series}:${d.category}`), stroke),
        anchor: p,
        series: d.series,
        category: d.category,
        value: d.value,
        color: v.stroke,
      });
      if (i > 0) {
        const u = path[i - 1];
        const q = { x: u.ax, y: u.ay };
        const h = stroke / 2;
        const box = boxOf(Math.min(p.x, q.x) - h, Math.min(p.y, q.y) - h, Math.max(p.x, q.x) + h, Math.max(p.y, q.y) + h);
        elements.push({
          id: `segment:${d.series}:${u.datum.category}:${d.category}`,
          kind: "segment",
          box,
          anchor: boxCenter(box),
          series: d.series,
          category: d.category,
          p1: q,
          p2: p,
          color: v.stroke,
        });
      }
    }
  }

  for (const [key, part] of c.legendParts) {
    if (!part.symbol || !part.label) continue;
    const box = unionBox(part.symbol.box, part.label.box);
    elements.push({
      id: `legend:${key}`,
      kind: "legend-entry",
      box,
      anchor: boxCenter(box),
      series: key,
      text: String(part.label.text),
      color: part.symbol.fill ?? part.symbol.stroke,
    });
  }

  for (const { axis, item } of c.ticks) {
    const box: Box = item.box;
    const text = String(item.text);
    // The SketchVL rule: x-axis labels at their top-edge centre, y-axis labels at their right-edge centre.
    const anchor = axis === "x" ? { x: (box.x1 + box.x2) / 2, y: box.y1 } : { x: box.x2, y: (box.y1 + box.y2) / 2 };
    const value = typeof item.datum.value === "number" ? item.datum.value : String(item.datum.value);
    elements.push({ id: `${axis}tick:${text}`, kind: axis === "x" ? "x-tick-label" : "y-tick-label", box, anchor, value, text });
  }
  const titles: Record<"x" | "y", string | null> = { x: null, y: null };
  for (const { axis, item } of c.axisTitles) {
    titles[axis] = String(item.text);
    elements.push({ id: `axis-title:${axis}`, kind: "axis-title", box: item.box, anchor: boxCenter(item.box), text: String(item.text) });
  }
  if (c.chartTitle)
    elements.push({ id: "title", kind: "chart-title", box: c.chartTitle.box, anchor: boxCenter(c.chartTitle.box), text: String(c.chartTitle.text) });

  // Two decimals of a pixel is far below anything a mark or the scorer can resolve; it keeps the JSON readable.
  const r2 = (v: number): number => Math.round(v * 100) / 100;
  const rp = (p: Pt): Pt => ({ x: r2(p.x), y: r2(p.y) });
  for (const e of elements) {
    e.box = roundBox(e.box);
    e.anchor = rp(e.anchor);
    if (e.p1) e.p1 = rp(e.p1);
    if (e.p2) e.p2 = rp(e.p2);
  }
  const annotations: ChartAnnotations = {
    chartId,
    kind,
    width: size.width,
    height: size.height,
    plotArea: roundBox(plotArea),
    axes: { x: axisMapping(view, "x", titles.x, ox), y: axisMapping(view, "y", titles.y, oy) },
    legend: c.legendBox ? { title: c.legendTitle, box: c.legendBox } : null,
    elements,
    table,
  };
  validateAnnotations(annotations);
  return annotations;
}

/** Rejects charts whose drawing would make a question ambiguous or a box wrong. */
export function validateAnnotations(a: ChartAnnotations): void {
  const t = a.table;
  const dataKind = a.kind === "vbar" || a.kind === "hbar" || a.kind === "grouped-bar" ? "bar" : "point";
  const marks = new Set(a.elements.filter((e) => e.kind === dataKind).map((e) => e.id));
  for (const r of t.rows) if (!marks.has(`${dataKind}:${r.series}:${r.category}`)) throw new ChartRejected(`no mark for ${r.series}/${r.category}`);
  if (t.seriesTitle !== null) {
    const entries = a.elements.filter((e) => e.kind === "legend-entry").length;
    if (entries !== t.series.length) throw new ChartRejected(`legend has ${entries} entries for ${t.series.length} series`);
  }
  const bandAxis = a.kind === "hbar" ? "y-tick-label" : "x-tick-label";
  if (a.kind !== "scatter" && a.elements.filter((e) => e.kind === bandAxis).length !== t.categories.length)
    throw new ChartRejected("a category label is missing");
  for (const kind of ["x-tick-label", "y-tick-label", "legend-entry"] as const) {
    const boxes = a.elements.filter((e) => e.kind === kind).map((e) => e.box);
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const p = boxes[i];
        const q = boxes[j];
        if (p.x1 < q.x2 + 1 && q.x1 < p.x2 + 1 && p.y1 < q.y2 && q.y1 < p.y2) throw new ChartRejected(`${kind}s overlap`);
      }
  }
  for (const e of a.elements) {
    const b = e.box;
    if (b.x1 < -0.5 || b.y1 < -0.5 || b.x2 > a.width + 0.5 || b.y2 > a.height + 0.5) throw new ChartRejected(`${e.id} is outside the image`);
  }
  if (a.width > 1200 || a.height > 900) throw new ChartRejected("image too large");
}
