// Outcome grading: ChartQA's relaxed accuracy, as the SketchVL evaluation rules state it (spec §4).
// Numbers within 5% of a non-zero reference count; years and categories must match exactly
// (case-insensitive); lists match element by element; the best reference wins.

const NUMBER = /^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^[+-]?\.\d+$/;
const YEAR = /^(1[5-9]\d\d|20\d\d)$/;

/** A number in ChartQA's sense: optional trailing %, thousands separators allowed; else null. */
export function parseChartNumber(text: string): number | null {
  let s = text.trim().replace(/\u2212/g, "-");
  if (s.endsWith("%")) s = s.slice(0, -1).trim();
  if (!NUMBER.test(s)) return null;
  const v = Number(s.replace(/,/g, ""));
  return Number.isFinite(v) ? v : null;
}

function normalize(s: string): string {
  return s.trim().replace(/\s+/g, " ").toLowerCase();
}

/** A reference that is not one number but several items ("Brazil, Chile" or "1; 2"). */
function listItems(s: string): string[] | null {
  if (parseChartNumber(s) !== null) return null;
  const parts = s.split(/\s*[;,]\s*|\s+and\s+/i).filter((p) => p.trim() !== "");
  return parts.length > 1 ? parts : null;
}

function matchOne(pred: string, gt: string): boolean {
  const g = parseChartNumber(gt);
  const p = parseChartNumber(pred);
  if (g !== null && p !== null) {
    // Years are labels, not quantities: 2011 is not "within 5%" of 2012.
    if (YEAR.test(gt.trim())) return p === g;
    if (g !== 0) return Math.abs(p - g) / Math.abs(g) <= 0.05;
    return p === 0;
  }
  return normalize(pred) === normalize(gt);
}

function matchReference(pred: string, gt: string): boolean {
  const gtItems = listItems(gt);
  if (gtItems === null) return matchOne(pred, gt);
  const predItems = listItems(pred);
  if (predItems === null || predItems.length !== gtItems.length) return normalize(pred) === normalize(gt);
  return gtItems.every((g, i) => matchOne(predItems[i], g));
}

/**
 * ChartQA relaxed accuracy of one prediction against one or more references: true when any
 * reference matches (numbers within 5% relative error, else case-insensitive exact match).
 */
export function relaxedAccuracy(pred: string | null | undefined, gt: string | readonly string[]): boolean {
  if (pred === null || pred === undefined) return false;
  const refs = typeof gt === "string" ? [gt] : gt;
  return refs.some((r) => matchReference(pred, r));
}
