// Chart-to-code ground truth (Visual-ERM, SketchVL spec §6). ChartWorld knows each chart's true
// Vega-Lite spec, so the differences between it and a predicted spec can be listed exactly: that
// list is the "reference" chart judge. Each compared property has one category and one severity,
// written once here (CHART_CODE_CHECKS) and used both by the comparison and by the corruption
// generator (chartCodeCorruption.ts), whose injected errors the comparison must reproduce.
import { generateChart } from "./renderChart";
import { rasterizeSvg } from "./rasterize";
import type { ChartKind } from "./chartTypes";

export type ChartErrorCategory = "structure" | "data" | "text" | "style";

export interface ChartCodeError {
  category: ChartErrorCategory;
  /** 1 minor, 2 clear, 3 the chart reads differently. */
  severity: 1 | 2 | 3;
  /** The spec path that differs, e.g. "mark.type", "data.values[3].value". */
  location: string;
  description: string;
}

type Spec = Record<string, unknown>;

/** A value's relative change beyond this is a clear data error (severity 2), within it a minor one. */
export const NEAR_VALUE = 0.1;

/** Every property the comparison reads, with the category and severity a difference in it has. */
export const CHART_CODE_CHECKS = {
  markType: { path: "mark.type", category: "structure", severity: 3 },
  xField: { path: "encoding.x.field", category: "structure", severity: 2 },
  yField: { path: "encoding.y.field", category: "structure", severity: 2 },
  rowCount: { path: "data.values", category: "data", severity: 3 },
  title: { path: "title", category: "text", severity: 2, isTitle: true },
  xTitle: { path: "encoding.x.title", category: "text", severity: 1, isTitle: true },
  yTitle: { path: "encoding.y.title", category: "text", severity: 1, isTitle: true },
  colorTitle: { path: "encoding.color.title", category: "text", severity: 1, isTitle: true },
  markColor: { path: "mark.color", category: "style", severity: 1 },
  palette: { path: "encoding.color.scale.range", category: "style", severity: 1 },
  width: { path: "width", category: "style", severity: 1 },
  height: { path: "height", category: "style", severity: 1 },
  background: { path: "background", category: "style", severity: 1 },
  strokeWidth: { path: "mark.strokeWidth", category: "style", severity: 1 },
} as const satisfies Record<string, ChartCodeCheck>;

interface ChartCodeCheck {
  path: string;
  category: ChartErrorCategory;
  severity: 1 | 2 | 3;
  /** Compared as title text: a string and { text } with the same string are the same title. */
  isTitle?: boolean;
}

function record(value: unknown): Spec | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Spec) : undefined;
}

/** Reads a dotted path ("encoding.x.title"); a mark given as a bare string is its type. */
export function specValue(spec: Spec, path: string): unknown {
  let at: unknown = spec;
  for (const key of path.split(".")) {
    if (typeof at === "string" && key === "type") return at; // "mark": "bar"
    at = record(at)?.[key];
  }
  return at;
}

/** A title as text: Vega-Lite takes a string or { text }. */
function titleText(value: unknown): unknown {
  return record(value)?.text ?? value;
}

const show = (v: unknown) => (v === undefined ? "absent" : JSON.stringify(v));
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Every difference between the reference spec and a predicted one, in a fixed order: the checked
 * properties in CHART_CODE_CHECKS order, then the data rows. Data is compared row by row and key by
 * key when the row counts match (a number off by more than NEAR_VALUE relative is severity 2,
 * less is 1; any other value is 2); a different row count is one severity-3 error.
 */
export function compareChartSpecs(reference: Spec, predicted: Spec): ChartCodeError[] {
  const errors: ChartCodeError[] = [];
  for (const [name, check] of Object.entries(CHART_CODE_CHECKS) as [string, ChartCodeCheck][]) {
    if (name === "rowCount") continue; // the data comparison below
    const read = (s: Spec) => (check.isTitle ? titleText(specValue(s, check.path)) : specValue(s, check.path));
    const want = read(reference);
    const got = read(predicted);
    if (same(want, got)) continue;
    errors.push({
      category: check.category,
      severity: check.severity,
      location: check.path,
      description: `${check.path} is ${show(got)}, should be ${show(want)}`,
    });
  }
  const wantRows = specValue(reference, "data.values");
  const gotRows = specValue(predicted, "data.values");
  if (!Array.isArray(wantRows) || !Array.isArray(gotRows) || wantRows.length !== gotRows.length) {
    if (!same(wantRows, gotRows)) {
      const count = (rows: unknown) => (Array.isArray(rows) ? `${rows.length} inline rows` : "no inline rows");
      const { path, category, severity } = CHART_CODE_CHECKS.rowCount;
      errors.push({ category, severity, location: path, description: `${count(gotRows)}, should be ${count(wantRows)}` });
    }
    return errors;
  }
  wantRows.forEach((want, i) => {
    const a = record(want) ?? {};
    const b = record(gotRows[i]) ?? {};
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
      if (same(a[key], b[key])) continue;
      errors.push({
        category: "data",
        severity: dataSeverity(a[key], b[key]),
        location: `data.values[${i}].${key}`,
        description: `${key} of row ${i} is ${show(b[key])}, should be ${show(a[key])}`,
      });
    }
  });
  return errors;
}

/** How wrong a data value is: 1 when a number is within NEAR_VALUE of the true one (relative), else 2. */
export function dataSeverity(want: unknown, got: unknown): 1 | 2 {
  if (typeof want === "number" && typeof got === "number" && want !== 0 && Math.abs(got - want) / Math.abs(want) <= NEAR_VALUE) return 1;
  return 2;
}

/** A chart-to-code example: the reference image and the code that draws it. */
export interface ChartCodeExample {
  id: string;
  seed: number;
  kind: ChartKind;
  /** The Vega-Lite spec as JSON text (data inline, no URLs): the ground-truth code. */
  code: string;
  /** The chart as PNG, rendered from `code`. */
  png: Buffer;
}

/** The chart of `seed` as a chart-to-code example. Throws ChartRejected like generateChart. */
export async function chartCodeExample(seed: number, kind?: ChartKind): Promise<ChartCodeExample> {
  const chart = await generateChart(seed, kind);
  return { id: chart.id, seed, kind: chart.kind, code: JSON.stringify(chart.spec), png: await rasterizeSvg(chart.svg) };
}
