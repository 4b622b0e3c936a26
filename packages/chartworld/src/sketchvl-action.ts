// SketchVL's textual action format and the conversions between it, the mesh's structured
// DrawingAction (packages/contract) and pixels. SketchVL writes coordinates normalized to 0..1000
// with y first: Box / Line [y1,x1,y2,x2], Point [y,x], Circle [y,x,r] (r along the shorter side),
// Text [y,x], "text".
import { CoordinateSpace, type DrawingAction } from "@sketchvl/contract";
import type { Box, Pt } from "./geometry";

export type ActionType = "box" | "line" | "point" | "circle" | "text";

/** The four action types FinePRM balances; Text is excluded from credit assignment. */
export const SCORED_ACTION_TYPES: readonly Exclude<ActionType, "text">[] = ["box", "line", "point", "circle"];

/** Pixel geometry of an action. */
export type PixelShape =
  | { type: "box"; box: Box }
  | { type: "line"; p1: Pt; p2: Pt }
  | { type: "point"; at: Pt }
  | { type: "circle"; center: Pt; r: number }
  | { type: "text"; at: Pt; text: string };

export interface ImageSize {
  width: number;
  height: number;
}

const clampNorm = (v: number): number => Math.min(1000, Math.max(0, Math.round(v)));

/** Pixel shape -> DrawingAction in NORM_1000 space, coordinates rounded to integers as a model writes them. */
export function shapeToAction(shape: PixelShape, size: ImageSize, color = "Red"): DrawingAction {
  const nx = (x: number): number => clampNorm((x * 1000) / size.width);
  const ny = (y: number): number => clampNorm((y * 1000) / size.height);
  const np = (p: Pt): { x: number; y: number } => ({ x: nx(p.x), y: ny(p.y) });
  const base = { color, space: CoordinateSpace.COORDINATE_SPACE_NORM_1000 };
  switch (shape.type) {
    case "box":
      return { ...base, kind: { $case: "rectangle", value: { corner1: np({ x: shape.box.x1, y: shape.box.y1 }), corner2: np({ x: shape.box.x2, y: shape.box.y2 }) } } };
    case "line":
      return { ...base, kind: { $case: "line", value: { start: np(shape.p1), end: np(shape.p2) } } };
    case "point":
      return { ...base, kind: { $case: "point", value: { at: np(shape.at) } } };
    case "circle":
      return { ...base, kind: { $case: "circle", value: { center: np(shape.center), radius: clampNorm((shape.r * 1000) / Math.min(size.width, size.height)) } } };
    case "text":
      return { ...base, kind: { $case: "text", value: { at: np(shape.at), text: shape.text } } };
  }
}

/** DrawingAction (any coordinate space) -> pixel shape on an image of `size`; null for crop / empty. */
export function actionToShape(action: DrawingAction, size: ImageSize): PixelShape | null {
  let sx = size.width / 1000;
  let sy = size.height / 1000;
  let sr = Math.min(size.width, size.height) / 1000;
  if (action.space === CoordinateSpace.COORDINATE_SPACE_PIXEL) sx = sy = sr = 1;
  else if (action.space === CoordinateSpace.COORDINATE_SPACE_UNIT) {
    sx = size.width;
    sy = size.height;
    sr = Math.min(size.width, size.height);
  }
  const p = (q: { x: number; y: number } | undefined): Pt => ({ x: (q?.x ?? 0) * sx, y: (q?.y ?? 0) * sy });
  const k = action.kind;
  if (!k) return null;
  switch (k.$case) {
    case "rectangle": {
      const a = p(k.value.corner1);
      const b = p(k.value.corner2);
      return { type: "box", box: { x1: Math.min(a.x, b.x), y1: Math.min(a.y, b.y), x2: Math.max(a.x, b.x), y2: Math.max(a.y, b.y) } };
    }
    case "line":
      return { type: "line", p1: p(k.value.start), p2: p(k.value.end) };
    case "point":
      return { type: "point", at: p(k.value.at) };
    case "circle":
      return { type: "circle", center: p(k.value.center), r: k.value.radius * sr };
    case "text":
      return { type: "text", at: p(k.value.at), text: k.value.text };
    default:
      return null;
  }
}

export function actionTypeOf(action: DrawingAction): ActionType | null {
  switch (action.kind?.$case) {
    case "rectangle":
      return "box";
    case "line":
      return "line";
    case "point":
      return "point";
    case "circle":
      return "circle";
    case "text":
      return "text";
    default:
      return null;
  }
}

/** "#Draw Box, [y1,x1,y2,x2], Red" for a NORM_1000 action (numbers printed as stored). */
export function formatSketchVLAction(action: DrawingAction): string {
  const k = action.kind;
  const color = action.color || "Red";
  const pt = (q: { x: number; y: number } | undefined): string => `${q?.y ?? 0},${q?.x ?? 0}`;
  switch (k?.$case) {
    case "rectangle":
      return `#Draw Box, [${pt(k.value.corner1)},${pt(k.value.corner2)}], ${color}`;
    case "line":
      return `#Draw Line, [${pt(k.value.start)},${pt(k.value.end)}], ${color}`;
    case "point":
      return `#Draw Point, [${pt(k.value.at)}], ${color}`;
    case "circle":
      return `#Draw Circle, [${pt(k.value.center)},${k.value.radius}], ${color}`;
    case "text":
      return `#Draw Text, [${pt(k.value.at)}], ${JSON.stringify(k.value.text)}, ${color}`;
    default:
      throw new Error("cannot format an empty or crop action as SketchVL");
  }
}

/** One SketchVL step, numbered from 1: Deduction / Intent / Action lines. */
export function formatSketchVLStep(index1: number, deduction: string, intent: string, action: DrawingAction): string {
  const lines = [];
  if (deduction) lines.push(`Deduction${index1}: ${deduction}`);
  lines.push(`Intent${index1}: ${intent}`);
  lines.push(`Action${index1}: ${formatSketchVLAction(action)}`);
  return lines.join("\n");
}
