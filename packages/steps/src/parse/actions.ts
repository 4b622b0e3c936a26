// Building DrawingActions from what the text formats give: a kind, a list of numbers, a color.
// Kinds are the contract's names (MarkName); the words for them are in ../vocabulary.ts.
import { COORDINATE_COUNT, type CoordinateSpace, type DrawingAction, type MarkName } from "@sketchvl/contract";
import { parseColor } from "../colors";
import { coordinateProblem, type CoordinateAxis } from "../coordinates";
import type { FieldError } from "./types";

/** The numbers a kind takes, in SketchVL's y-first order (for messages). */
export const YX_SHAPE: Readonly<Record<MarkName, string>> = {
  point: "[y,x]",
  line: "[y1,x1,y2,x2]",
  rectangle: "[y1,x1,y2,x2]",
  circle: "[y,x,r]",
  text: "[y,x]",
};

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** Parses one coordinate token; a string says why it is not a finite number. */
export function parseNumber(token: string): number | string {
  const t = token.trim();
  if (NUMBER.test(t)) {
    const v = Number(t);
    return Number.isFinite(v) ? v : `"${t}" is out of range`;
  }
  if (/^[+-]?(nan|inf(inity)?)$/i.test(t)) return `"${t}" is not a finite number`;
  return `"${t}" is not a number`;
}

/** Undefined if the color is usable by the renderer, else the reason. */
export function colorProblem(spec: string): string | undefined {
  try {
    parseColor(spec);
    return undefined;
  } catch (err) {
    return (err as { description?: string }).description ?? String(err);
  }
}

/**
 * The action for `nums` in the given order ("yx": SketchVL's [y,x,…]; "xy": ChartSketcher's x first).
 * `nums` must have COORDINATE_COUNT[kind] entries.
 */
export function shapeAction(kind: MarkName, nums: readonly number[], order: "yx" | "xy", space: CoordinateSpace, color: string, text = ""): DrawingAction {
  const p = (i: number) => (order === "yx" ? { x: nums[i + 1], y: nums[i] } : { x: nums[i], y: nums[i + 1] });
  let k: DrawingAction["kind"];
  switch (kind) {
    case "point":
      k = { $case: "point", value: { at: p(0) } };
      break;
    case "line":
      k = { $case: "line", value: { start: p(0), end: p(2) } };
      break;
    case "rectangle":
      k = { $case: "rectangle", value: { corner1: p(0), corner2: p(2) } };
      break;
    case "circle":
      k = { $case: "circle", value: { center: p(0), radius: nums[2] } };
      break;
    case "text":
      k = { $case: "text", value: { at: p(0), text } };
      break;
  }
  return { kind: k, color, space };
}

/** What number i of a kind's list is: "yx" lists are [y,x,…], "xy" lists [x,y,…]; a circle's third is its radius. */
function axisOf(kind: MarkName, i: number, order: "yx" | "xy"): CoordinateAxis {
  if (kind === "circle" && i === 2) return "radius";
  return (i % 2 === 0) === (order === "yx") ? "y" : "x";
}

/**
 * The first number the renderer would refuse when drawing (not finite, or beyond one range outside
 * `space`: ../coordinates.ts's coordinateProblem, the rule pointToPixels applies), with its index
 * into `nums` and the reason; undefined when all are drawable.
 */
export function refusedCoordinate(
  kind: MarkName,
  nums: readonly number[],
  order: "yx" | "xy",
  space: CoordinateSpace,
): { index: number; problem: string } | undefined {
  for (let i = 0; i < nums.length; i++) {
    const problem = coordinateProblem(nums[i], axisOf(kind, i, order), space);
    if (problem) return { index: i, problem };
  }
  return undefined;
}

/**
 * Checks a list of coordinate tokens: numbers, as many as the kind takes, each one the renderer
 * would draw in `space` (read in `order`). `field` is e.g. "action.coordinates"; an error names
 * the coordinate ("action.coordinates[2]").
 */
export function parseCoordinates(
  tokens: ReadonlyArray<{ text: string; start: number; end: number }>,
  kind: MarkName,
  shape: string,
  field: string,
  whole: { start: number; end: number },
  order: "yx" | "xy",
  space: CoordinateSpace,
): number[] | FieldError {
  const nums: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const v = parseNumber(tokens[i].text);
    if (typeof v === "string") {
      return { field: `${field}[${i}]`, message: `coordinate ${i + 1} of ${shape}: ${v}`, span: tokens[i] };
    }
    nums.push(v);
  }
  const want = COORDINATE_COUNT[kind];
  if (nums.length !== want) {
    return { field, message: `${kind} needs ${want} numbers ${shape}, got ${nums.length}`, span: whole };
  }
  const refused = refusedCoordinate(kind, nums, order, space);
  if (refused) {
    const i = refused.index;
    return { field: `${field}[${i}]`, message: `coordinate ${i + 1} of ${shape}: ${refused.problem}`, span: tokens[i] };
  }
  return nums;
}
