// Corrupted chart code with known errors: a ChartWorld spec with 1–3 injected mistakes, each
// reported as the error (category, severity, location) a perfect judge would list. The reference
// judge (compareChartSpecs) is tested against these, and they make graded chart-to-code
// responses for tests and examples without a policy model.
import { Rng } from "@sketchvl/seeded-random";
import { CHART_CODE_CHECKS, type ChartCodeError, specValue } from "./chartCode";

type Spec = Record<string, unknown>;

export const CORRUPTION_KINDS = ["mark-type", "data-value", "title", "axis-title", "mark-color", "size"] as const;
export type CorruptionKind = (typeof CORRUPTION_KINDS)[number];

export interface CorruptedChartCode {
  code: string;
  kinds: CorruptionKind[];
  /** What was injected, in no particular order. */
  errors: ChartCodeError[];
}

const OTHER_MARKS: Record<string, string[]> = {
  bar: ["line", "point", "area"],
  line: ["bar", "area", "point"],
  point: ["bar", "line", "square"],
};
const COLORS = ["#d62728", "#2ca02c", "#9467bd", "#8c564b", "#17becf"];

function errorOf(check: keyof typeof CHART_CODE_CHECKS, description: string): ChartCodeError {
  const { path, category, severity } = CHART_CODE_CHECKS[check];
  return { category, severity, location: path, description };
}

/** Applies one corruption to `spec` (mutated) and returns the errors it makes. */
function inject(spec: Spec, kind: CorruptionKind, rng: Rng): ChartCodeError[] {
  const mark = spec.mark as Spec;
  const encoding = spec.encoding as Record<string, Spec>;
  switch (kind) {
    case "mark-type": {
      const type = rng.pick(OTHER_MARKS[String(mark.type)] ?? ["bar"]);
      const was = mark.type;
      mark.type = type;
      return [errorOf("markType", `drawn as ${type}, should be ${was}`)];
    }
    case "data-value": {
      const rows = (spec.data as { values: Spec[] }).values;
      return rng.sample([...rows.keys()], Math.min(rows.length, rng.int(1, 2))).map((i) => {
        const want = rows[i].value as number;
        // A clear error doubles-and-more the value; a minor one moves it 3–8 %.
        const minor = want !== 0 && rng.bool(0.4);
        const got = want === 0 ? 10 : minor ? want * (1 + rng.pick([-1, 1]) * rng.float(0.03, 0.08)) : want * rng.float(1.5, 2.5);
        rows[i].value = got;
        return {
          category: "data",
          severity: minor ? 1 : 2,
          location: `data.values[${i}].value`,
          description: `value of row ${i} is ${got}, should be ${want}`,
        };
      });
    }
    case "title": {
      const was = spec.title;
      spec.title = typeof was === "string" ? `${was} (revised)` : "Untitled chart";
      return [errorOf("title", `title is ${JSON.stringify(spec.title)}, should be ${JSON.stringify(was)}`)];
    }
    case "axis-title": {
      const axis = rng.pick(["x", "y"] as const);
      const was = encoding[axis].title;
      encoding[axis].title = typeof was === "string" ? `${was} (units)` : "Amount";
      return [errorOf(axis === "x" ? "xTitle" : "yTitle", `${axis} axis title is ${JSON.stringify(encoding[axis].title)}, should be ${JSON.stringify(was)}`)];
    }
    case "mark-color": {
      if (typeof mark.color === "string") {
        const was = mark.color;
        mark.color = rng.pick(COLORS.filter((c) => c !== was));
        return [errorOf("markColor", `mark colour is ${mark.color}, should be ${was}`)];
      }
      const range = specValue(spec, "encoding.color.scale.range") as string[] | undefined;
      if (!range) {
        // A mark coloured by Vega-Lite's default: the corruption names a colour.
        mark.color = rng.pick(COLORS);
        return [errorOf("markColor", `mark colour is ${mark.color}, should be the default`)];
      }
      const was = range[0];
      range[0] = rng.pick(COLORS.filter((c) => !range.includes(c)));
      return [errorOf("palette", `first series is ${range[0]}, should be ${was}`)];
    }
    case "size": {
      const was = spec.width as number;
      spec.width = Math.round(was * rng.pick([0.6, 0.75, 1.3, 1.5]));
      return [errorOf("width", `width is ${spec.width}, should be ${was}`)];
    }
  }
}

/**
 * `code` (a ChartWorld spec as JSON) with `count` distinct corruptions (1–3 by default, chosen by
 * the seed), and the errors they inject. Deterministic in (code, seed).
 */
export function corruptChartCode(code: string, seed: number | string, count?: number): CorruptedChartCode {
  const rng = new Rng(seed, "chart-code-corruption");
  const spec = JSON.parse(code) as Spec;
  const kinds = rng.sample(CORRUPTION_KINDS, count ?? rng.int(1, 3));
  const errors = kinds.flatMap((kind) => inject(spec, kind, rng));
  return { code: JSON.stringify(spec), kinds, errors };
}
