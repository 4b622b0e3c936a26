// Seed -> chart: data, style, Vega-Lite spec, headless Vega render to SVG, and annotations read
// from the same scenegraph the SVG came from (so boxes and pixels cannot drift apart).
import { generateData, type GeneratedData } from "./chartData";
import { buildVegaLiteSpec, chooseStyle, valueAxisFromZero } from "./chartSpec";
import { CHART_KINDS, type Chart, type ChartKind } from "./chartTypes";
import { Rng } from "@sketchvl/seeded-random";
import { ChartRejected, extractAnnotations } from "./scenegraphAnnotations";
import { splitOfSeed } from "./splits";
import { loadVegaEngine } from "./vegaEngine";

export { ChartRejected };

export interface GeneratedChart extends Chart {
  /** Nouns and rounding the question templates need. */
  data: GeneratedData;
}

export function chartIdOfSeed(seed: number): string {
  return `cw-${seed}`;
}

/** The chart kind a seed draws, unless the caller forces one. */
export function kindOfSeed(seed: number): ChartKind {
  return new Rng(seed, "kind").pick(CHART_KINDS);
}

// Vega-Lite's logger interface: warnings about our own specs are noise here (rejects are checked).
interface QuietLogger {
  level(): number;
  error(): QuietLogger;
  warn(): QuietLogger;
  info(): QuietLogger;
  debug(): QuietLogger;
}
const silentLogger: QuietLogger = {
  level: () => 0,
  error: () => silentLogger,
  warn: () => silentLogger,
  info: () => silentLogger,
  debug: () => silentLogger,
};

/**
 * Renders the chart of `seed`. Throws ChartRejected when the drawn chart fails a sanity check
 * (overlapping labels, a missing mark, ...); use tryGenerateChart to skip such seeds.
 */
export async function generateChart(seed: number, kind: ChartKind = kindOfSeed(seed)): Promise<GeneratedChart> {
  const { vega, vegaLite } = await loadVegaEngine();
  const rng = new Rng(seed, `chart:${kind}`);
  const data = generateData(rng, kind);
  const style = chooseStyle(rng, kind, data);
  const spec = buildVegaLiteSpec(kind, data, style, valueAxisFromZero(rng, kind));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  // biome-ignore lint/suspicious/noExplicitAny: our spec and logger satisfy vega-lite at run time; its TopLevelSpec and Logger types do not line up with them
  const compiled = vegaLite.compile(spec as any, { logger: silentLogger as any }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    await view.runAsync();
    // Vega numbers clip paths with a process-wide counter; renumber so a seed always gives the same bytes.
    const clipIds = new Map<string, string>();
    const svg = (await view.toSVG()).replace(/\bclip(\d+)\b/g, (_m, n: string) => {
      if (!clipIds.has(n)) clipIds.set(n, `clip${clipIds.size + 1}`);
      return clipIds.get(n) as string;
    });
    const m = /^<svg[^>]*?width="([\d.]+)" height="([\d.]+)"/.exec(svg);
    if (!m) throw new ChartRejected("SVG without size");
    const size = { width: Math.round(Number(m[1])), height: Math.round(Number(m[2])) };
    const id = chartIdOfSeed(seed);
    const annotations = extractAnnotations(view, kind, data.table, id, size);
    return { id, seed, split: splitOfSeed(seed), kind, style, spec, svg, annotations, data };
  } finally {
    view.finalize();
  }
}

/** generateChart, or null for a seed whose chart is rejected. */
export async function tryGenerateChart(seed: number, kind?: ChartKind): Promise<GeneratedChart | null> {
  try {
    return await generateChart(seed, kind);
  } catch (e) {
    if (e instanceof ChartRejected) return null;
    throw e;
  }
}
