// STEP_FORMAT_JSON: every top-level balanced {...} in the text that parses as JSON and has a
// "type" key is a step. The paper's keys are unknown; ours (NORM_1000, y first, like SketchVL):
//   {"type":"point","point":[y,x]}            {"type":"line","line":[y1,x1,y2,x2]}
//   {"type":"rectangle","bbox":[y1,x1,y2,x2]} {"type":"circle","center":[y,x],"radius":r}
//   {"type":"text","point":[y,x],"text":"..."}
// plus optional "color" and "intent". Objects without "type" (wrappers such as {"steps":[…]}) are
// searched for nested action objects. Broken JSON that mentions "type" is a FormatError.
import { COORDINATE_COUNT, CoordinateSpace, type DrawingAction, type MarkName } from "@sketchvl/contract";
import { markNameOfWord } from "../vocabulary";
import { YX_SHAPE, colorProblem, refusedCoordinate, shapeAction } from "./actions";
import { findImageMarkers, turnCounter } from "./markers";
import type { Span16 } from "./offsets";
import { errorItem, type FieldError, type FormatParse, type Item } from "./types";

/** Where each kind keeps its coordinates. */
const COORD_KEY: Readonly<Record<MarkName, string>> = { point: "point", line: "line", rectangle: "bbox", circle: "center", text: "point" };

export interface JsonAction {
  action: DrawingAction;
  intent?: string;
}

/** A DrawingAction from a parsed JSON action object; fields are "action.<key>" or "intent". */
export function actionFromJson(obj: Record<string, unknown>): JsonAction | FieldError {
  const type = obj.type;
  const kind = typeof type === "string" ? markNameOfWord(type) : undefined;
  if (!kind) {
    return { field: "action.type", message: `unknown action type ${JSON.stringify(type)}; use point, line, rectangle, circle or text` };
  }
  const key = COORD_KEY[kind];
  const want = kind === "circle" ? 2 : COORDINATE_COUNT[kind];
  const coords = obj[key];
  if (!Array.isArray(coords) || coords.length !== want) {
    const shape = kind === "circle" ? "[y,x]" : YX_SHAPE[kind];
    const got = Array.isArray(coords) ? `${coords.length} numbers` : (JSON.stringify(coords) ?? "nothing");
    return { field: `action.${key}`, message: `${kind} needs "${key}": ${shape}, got ${got}` };
  }
  const bad = coords.findIndex((v) => typeof v !== "number");
  if (bad >= 0) return { field: `action.${key}[${bad}]`, message: `${JSON.stringify(coords[bad])} is not a number` };
  const nums = [...(coords as number[])];
  if (kind === "circle") {
    if (typeof obj.radius !== "number")
      return { field: "action.radius", message: `circle needs a numeric "radius", got ${JSON.stringify(obj.radius) ?? "nothing"}` };
    nums.push(obj.radius);
  }
  // JSON.parse reads 1e999 as Infinity; ranges are the renderer's (NORM_1000, y first).
  const refused = refusedCoordinate(kind, nums, "yx", CoordinateSpace.COORDINATE_SPACE_NORM_1000);
  if (refused) {
    const i = refused.index;
    return i < coords.length
      ? { field: `action.${key}[${i}]`, message: `${key}[${i}]: ${refused.problem}` }
      : { field: "action.radius", message: refused.problem };
  }
  let text = "";
  if (kind === "text") {
    if (typeof obj.text !== "string" || obj.text.trim() === "") return { field: "action.text", message: 'text needs a non-empty "text" string' };
    text = obj.text;
  }
  const color = obj.color ?? "";
  if (typeof color !== "string") return { field: "action.color", message: `color must be a string, got ${JSON.stringify(color)}` };
  const problem = colorProblem(color);
  if (problem) return { field: "action.color", message: problem };
  if (obj.intent !== undefined && typeof obj.intent !== "string") return { field: "intent", message: "intent must be a string" };
  return {
    action: shapeAction(kind, nums, "yx", CoordinateSpace.COORDINATE_SPACE_NORM_1000, color.trim(), text),
    intent: obj.intent as string | undefined,
  };
}

/** Index of the "}" closing the "{" at `open`, or -1 before `to`. Strings (and escapes) are skipped. */
function matchBrace(text: string, open: number, to: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < to; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  return -1;
}

export interface JsonCandidate {
  span: Span16;
  value?: Record<string, unknown>;
  error?: string;
}

const HAS_TYPE = /["']type["']\s*:/; // single quotes too: models write Python dicts

/** How deep wrappers are searched; bounds the work on pathological input ("{{{{…") to O(depth·n). */
const MAX_DEPTH = 4;

/** Action-object candidates in [from, to), in order (see the file comment). */
export function findJsonObjects(text: string, from = 0, to = text.length, depth = 0): JsonCandidate[] {
  const out: JsonCandidate[] = [];
  let i = from;
  while (i < to) {
    const open = text.indexOf("{", i);
    if (open < 0 || open >= to) break;
    const close = matchBrace(text, open, to);
    const end = close < 0 ? to : close + 1;
    const raw = text.slice(open, end);
    let value: unknown;
    let error: string | undefined;
    if (close < 0) error = "unterminated JSON object";
    else {
      try {
        value = JSON.parse(raw);
      } catch (err) {
        error = `not valid JSON: ${(err as Error).message}`;
      }
    }
    const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
    if (isObject && "type" in (value as object)) {
      out.push({ span: { start: open, end }, value: value as Record<string, unknown> });
    } else {
      // A wrapper or a broken outer object: nested action objects still count.
      const inner = depth < MAX_DEPTH ? findJsonObjects(text, open + 1, close < 0 ? to : close, depth + 1) : [];
      if (inner.length > 0) out.push(...inner);
      else if (error && HAS_TYPE.test(raw)) out.push({ span: { start: open, end }, error });
    }
    // After an unterminated "{" the nested search above already covered the rest of the text.
    i = close < 0 ? to : end;
  }
  return out;
}

/** The span of the "intent" string's contents inside an object's text, if it is there. */
function intentSpan(text: string, span: Span16): Span16 | undefined {
  const m = /"intent"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text.slice(span.start, span.end));
  if (!m) return undefined;
  const start = span.start + m.index + m[0].length - 1 - m[1].length;
  return { start, end: start + m[1].length };
}

export function parseJson(text: string): FormatParse {
  const turnAt = turnCounter(findImageMarkers(text));
  const items: Item[] = [];
  for (const c of findJsonObjects(text)) {
    if (!c.value) {
      items.push({ type: "error", span: c.span, field: "action", message: c.error ?? "not a JSON object" });
      continue;
    }
    const r = actionFromJson(c.value);
    if (!("action" in r)) {
      items.push(errorItem(r, c.span));
      continue;
    }
    items.push({
      type: "step",
      turn: turnAt(c.span.start),
      intent: r.intent ?? "",
      deduction: "",
      action: r.action,
      span: c.span,
      intentSpan: r.intent !== undefined ? intentSpan(text, c.span) : undefined,
      actionSpan: c.span,
    });
  }
  return { items, turnAt };
}
