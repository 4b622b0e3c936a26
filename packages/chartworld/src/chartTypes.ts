// What a ChartWorld chart is made of: the data table it shows, and the pixel annotations of every
// element as rasterized. All geometry is in PNG pixels (see geometry.ts).
import type { Box, Pt } from "./geometry";

export const CHART_KINDS = ["vbar", "hbar", "grouped-bar", "line", "multi-line", "scatter"] as const;
export type ChartKind = (typeof CHART_KINDS)[number];

export type Split = "train" | "validation" | "test";

/**
 * One datum. Bars and lines: (category, series) -> value. Scatter: `category` is an internal point
 * id ("p3"), `x` the horizontal value, `value` the vertical one, `series` the colour group.
 */
export interface DataRow {
  category: string;
  series: string;
  value: number;
  x?: number;
}

export interface DataTable {
  /** Human names of the columns, as the axis / legend titles show them. */
  categoryTitle: string;
  valueTitle: string;
  seriesTitle: string | null;
  xTitle?: string;
  /** Categories in axis order (bars, lines); empty for scatter. */
  categories: string[];
  /** Series in legend order; one "" series when there is no legend. */
  series: string[];
  rows: DataRow[];
}

export type ElementKind =
  | "bar"
  | "point" // a data point: line vertex or scatter dot
  | "segment" // the line piece between two consecutive points of a series
  | "legend-entry" // symbol + label
  | "x-tick-label"
  | "y-tick-label"
  | "axis-title"
  | "chart-title";

export interface ChartElement {
  /** Stable within a chart: "bar:<series>:<category>", "legend:<series>", "xtick:<label>", ... */
  id: string;
  kind: ElementKind;
  box: Box;
  /**
   * The spot an expert points at: x tick labels at their top-edge centre, y tick labels at their
   * right-edge centre (the SketchVL prompt's rule), data points at their centre, bars at the
   * middle of their value end, others at the box centre.
   */
  anchor: Pt;
  series?: string;
  category?: string;
  /** Data value (bars, points), tick value (tick labels: number or category string). */
  value?: number | string;
  /** Visible text (tick labels, legend entries, titles). */
  text?: string;
  /** Fill / stroke colour of the element's mark, "#rrggbb". */
  color?: string;
  /** Segments: their two end points (data points), in series order. */
  p1?: Pt;
  p2?: Pt;
}

/**
 * Pixel <-> data mapping of one axis. Linear: pixel = range[0] + (v - domain[0]) *
 * (range[1] - range[0]) / (domain[1] - domain[0]). Band / point: each category's centre pixel.
 */
export interface AxisMapping {
  channel: "x" | "y";
  orient: "bottom" | "left";
  title: string | null;
  scale: "linear" | "band" | "point";
  /** Pixel positions of domain[0] and domain[1] (linear) or of the band / point range ends. */
  range: [number, number];
  domain?: [number, number];
  categories?: string[];
  /** Band / point: the centre pixel of each category, same order as `categories`. */
  centers?: number[];
  /** Band: width of one band (of a whole group for grouped bars). */
  bandwidth?: number;
}

export interface ChartAnnotations {
  chartId: string;
  kind: ChartKind;
  /** PNG size. */
  width: number;
  height: number;
  plotArea: Box;
  axes: { x: AxisMapping; y: AxisMapping };
  /** Legend box (title + entries), null when the chart has none. */
  legend: { title: string | null; box: Box } | null;
  elements: ChartElement[];
  table: DataTable;
}

export interface ChartStyle {
  font: string;
  labelFontSize: number;
  titleFontSize: number;
  background: string;
  palette: string[];
  grid: boolean;
  frame: boolean;
  legendOrient: "right" | "top" | "bottom";
  title: string | null;
  plotWidth: number;
  plotHeight: number;
  barCornerRadius: number;
  lineWidth: number;
  showPoints: boolean;
  pointShape: "circle" | "square" | "diamond";
  pointSize: number;
  axisColor: string;
  textColor: string;
}

/** A rendered chart: everything needed to rasterize it and grade steps on it. */
export interface Chart {
  id: string;
  seed: number;
  split: Split;
  kind: ChartKind;
  style: ChartStyle;
  /** The Vega-Lite spec it was drawn from (data inlined). */
  spec: Record<string, unknown>;
  svg: string;
  annotations: ChartAnnotations;
}
