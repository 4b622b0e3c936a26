// Seeded looks (fonts, sizes, colours, gridlines, legend placement) and the Vega-Lite spec that
// draws a generated table. Only things Vega-Lite really does are used, so the charts look like
// charts found in the wild rather than like one synthetic template.
import type { GeneratedData } from "./chartData";
import type { ChartKind, ChartStyle } from "./chartTypes";
import { textWidth } from "./fontMetrics";
import type { Rng } from "@sketchvl/seeded-random";

const PALETTES: string[][] = [
  ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2"], // vega / tableau10
  ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"], // category10
  ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d"], // dark2
  ["#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494"], // set2
  ["#003f5c", "#ffa600", "#bc5090", "#58508d", "#ff6361", "#2f4b7c", "#a05195"], // dark-to-warm
  ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442"], // Okabe-Ito
];

const BACKGROUNDS = ["#ffffff", "#ffffff", "#ffffff", "#f7f7f7", "#fbfaf5", "#f3f6fa"];
const FONTS = ["DejaVu Sans", "DejaVu Sans", "DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono"];

/** Widest label in px, to give band axes enough room that labels never collide. */
function widestLabel(labels: string[], size: number, font: string): number {
  let w = 0;
  for (const l of labels) w = Math.max(w, textWidth(l, size, font));
  return w;
}

export function chooseStyle(rng: Rng, kind: ChartKind, data: GeneratedData): ChartStyle {
  const font = rng.pick(FONTS);
  const labelFontSize = rng.int(9, 13);
  const titleFontSize = labelFontSize + rng.int(1, 3);
  const palette = rng.shuffle(rng.pick(PALETTES));
  const cats = data.table.categories;
  let plotWidth = rng.int(260, 520);
  let plotHeight = rng.int(180, 360);
  if (kind === "hbar") {
    // Bands must be taller than a label line.
    plotHeight = Math.max(plotHeight, cats.length * (labelFontSize + rng.int(8, 22)));
  } else if (kind !== "scatter") {
    const perGroup = kind === "grouped-bar" ? data.table.series.length : 1;
    const step = Math.max(widestLabel(cats, labelFontSize, font) + 10, perGroup * 14);
    plotWidth = Math.max(plotWidth, Math.ceil(cats.length * step));
  }
  const hasTitle = rng.bool(0.5);
  const subject = kind === "scatter" ? `${data.valueName} vs ${data.table.xTitle?.replace(/\s*\(.*\)$/, "")}` : `${data.valueName} by ${data.categoryNoun}`;
  return {
    font,
    labelFontSize,
    titleFontSize,
    background: rng.pick(BACKGROUNDS),
    palette,
    grid: rng.bool(0.6),
    frame: rng.bool(0.4),
    legendOrient: rng.pick(["right", "right", "right", "top", "bottom"] as const),
    title: hasTitle ? subject : null,
    plotWidth,
    plotHeight,
    barCornerRadius: rng.bool(0.7) ? 0 : rng.int(2, 4),
    lineWidth: rng.pick([1.5, 2, 2.5, 3]),
    showPoints: kind === "scatter" || rng.bool(0.7),
    pointShape: rng.pick(["circle", "circle", "square", "diamond"] as const),
    pointSize: rng.int(30, 80),
    axisColor: rng.pick(["#888888", "#333333", "#aaaaaa"]),
    textColor: rng.pick(["#000000", "#333333", "#222222"]),
  };
}

/** Does the value axis start at zero? Bars always (honest lengths); lines half the time. */
export function valueAxisFromZero(rng: Rng, kind: ChartKind): boolean {
  if (kind === "vbar" || kind === "hbar" || kind === "grouped-bar") return true;
  if (kind === "scatter") return false;
  return rng.bool(0.5);
}

export function buildVegaLiteSpec(kind: ChartKind, data: GeneratedData, style: ChartStyle, zero: boolean): Record<string, unknown> {
  const t = data.table;
  const multi = t.series.length > 1 || t.seriesTitle !== null;
  const values = t.rows.map((r) =>
    kind === "scatter" ? { category: r.category, series: r.series, value: r.value, x: r.x } : { category: r.category, series: r.series, value: r.value },
  );
  const color = multi
    ? {
        field: "series",
        type: "nominal",
        title: t.seriesTitle,
        scale: { domain: t.series, range: style.palette.slice(0, t.series.length) },
        legend: { orient: style.legendOrient },
      }
    : undefined;
  const single = style.palette[0];
  const catAxis = { labelAngle: 0 };
  const category = {
    field: "category",
    type: kind === "line" || kind === "multi-line" ? "ordinal" : "nominal",
    title: t.categoryTitle,
    sort: t.categories,
    axis: catAxis,
  };
  const value = { field: "value", type: "quantitative", title: t.valueTitle, scale: { zero } };
  let mark: Record<string, unknown>;
  let encoding: Record<string, unknown>;
  switch (kind) {
    case "vbar":
      mark = { type: "bar", cornerRadiusEnd: style.barCornerRadius, color: single };
      encoding = { x: category, y: value };
      break;
    case "hbar":
      mark = { type: "bar", cornerRadiusEnd: style.barCornerRadius, color: single };
      encoding = { y: category, x: value };
      break;
    case "grouped-bar":
      mark = { type: "bar", cornerRadiusEnd: style.barCornerRadius };
      encoding = { x: category, xOffset: { field: "series", sort: t.series }, y: value, color };
      break;
    case "line":
    case "multi-line":
      mark = {
        type: "line",
        strokeWidth: style.lineWidth,
        ...(multi ? {} : { color: single }),
        point: style.showPoints ? { filled: true, shape: style.pointShape, size: style.pointSize, ...(multi ? {} : { color: single }) } : false,
      };
      encoding = { x: category, y: value, ...(multi ? { color } : {}) };
      break;
    case "scatter":
      mark = { type: "point", filled: true, shape: style.pointShape, size: style.pointSize + 20, opacity: 1 };
      encoding = { x: { field: "x", type: "quantitative", title: t.xTitle, scale: { zero: false } }, y: value, color };
      break;
  }
  const f = style.font;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    ...(style.title ? { title: style.title } : {}),
    width: style.plotWidth,
    height: style.plotHeight,
    padding: 8,
    background: style.background,
    data: { values },
    mark,
    encoding,
    config: {
      font: f,
      view: { stroke: style.frame ? "#cccccc" : null },
      axis: {
        labelFont: f,
        titleFont: f,
        labelFontSize: style.labelFontSize,
        titleFontSize: style.titleFontSize,
        labelColor: style.textColor,
        titleColor: style.textColor,
        domainColor: style.axisColor,
        tickColor: style.axisColor,
        grid: style.grid,
        gridColor: "#e3e3e3",
      },
      axisBand: { grid: false },
      legend: {
        labelFont: f,
        titleFont: f,
        labelFontSize: style.labelFontSize,
        titleFontSize: style.titleFontSize,
        labelColor: style.textColor,
        titleColor: style.textColor,
      },
      title: { font: f, fontSize: style.titleFontSize + 2, color: style.textColor },
    },
  };
}
