// ChartWorld's marks as pixel geometry, and the conversions between it and the mesh's DrawingAction
// (packages/contract) in NORM_1000, the space SketchVL text is written in (writing the text is
// @sketchvl/steps' formatSketchVLAction). Action kinds go by the contract's names (MarkName).
import { CoordinateSpace, type DrawingAction, type MarkName, type Point2 } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import { pointToPixels, radiusToPixels } from "@sketchvl/steps";
import type { Box, Pt } from "./geometry";

/**
 * The four action kinds FinePRM balances; Text is excluded from credit assignment. The order is
 * part of the PRM data: noise draws a wrong kind from this list by index, and the dataset's type
 * codes index it (packages/prm-model DATASET_TYPES).
 */
export const SCORED_ACTION_TYPES: readonly Exclude<MarkName, "text">[] = ["rectangle", "line", "point", "circle"];

/** Pixel geometry of an action. A "box" is the pixel Box a rectangle action covers. */
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

/** The action kind a pixel shape is drawn as (a box is a rectangle; the others share their name). */
export function markNameOfShape(type: PixelShape["type"]): MarkName {
  return type === "box" ? "rectangle" : type;
}

/** Pixel shape -> DrawingAction in NORM_1000 space, coordinates rounded to integers as a model writes them. */
export function shapeToAction(shape: PixelShape, size: ImageSize, color = "Red"): DrawingAction {
  const nx = (x: number): number => clampNorm((x * 1000) / size.width);
  const ny = (y: number): number => clampNorm((y * 1000) / size.height);
  const np = (p: Pt): { x: number; y: number } => ({ x: nx(p.x), y: ny(p.y) });
  const base = { color, space: CoordinateSpace.COORDINATE_SPACE_NORM_1000 };
  switch (shape.type) {
    case "box":
      return {
        ...base,
        kind: { $case: "rectangle", value: { corner1: np({ x: shape.box.x1, y: shape.box.y1 }), corner2: np({ x: shape.box.x2, y: shape.box.y2 }) } },
      };
    case "line":
      return { ...base, kind: { $case: "line", value: { start: np(shape.p1), end: np(shape.p2) } } };
    case "point":
      return { ...base, kind: { $case: "point", value: { at: np(shape.at) } } };
    case "circle":
      return {
        ...base,
        kind: { $case: "circle", value: { center: np(shape.center), radius: clampNorm((shape.r * 1000) / Math.min(size.width, size.height)) } },
      };
    case "text":
      return { ...base, kind: { $case: "text", value: { at: np(shape.at), text: shape.text } } };
  }
}

/**
 * DrawingAction (any coordinate space) -> pixel shape on an image of `size`, by the renderer's own
 * conversion (@sketchvl/drawing's pointToPixels / radiusToPixels: values a little outside are
 * clamped to the image). Null for crop / empty actions and for actions the renderer would refuse
 * to draw: a missing point, or a coordinate that is not finite or beyond one range outside.
 */
export function actionToShape(action: DrawingAction, size: ImageSize): PixelShape | null {
  const k = action.kind;
  if (!k) return null;
  const { width: w, height: h } = size;
  const space = action.space;
  try {
    const p = (q: Point2 | undefined, field: string): Pt => pointToPixels(q, space, w, h, field);
    switch (k.$case) {
      case "rectangle": {
        const a = p(k.value.corner1, "rectangle.corner1");
        const b = p(k.value.corner2, "rectangle.corner2");
        return { type: "box", box: { x1: Math.min(a.x, b.x), y1: Math.min(a.y, b.y), x2: Math.max(a.x, b.x), y2: Math.max(a.y, b.y) } };
      }
      case "line":
        return { type: "line", p1: p(k.value.start, "line.start"), p2: p(k.value.end, "line.end") };
      case "point":
        return { type: "point", at: p(k.value.at, "point.at") };
      case "circle":
        return { type: "circle", center: p(k.value.center, "circle.center"), r: radiusToPixels(k.value.radius, space, w, h, "circle.radius") };
      case "text":
        return { type: "text", at: p(k.value.at, "text.at"), text: k.value.text };
      default:
        return null;
    }
  } catch (err) {
    if (isRefusal(err)) return null;
    throw err;
  }
}

/** True for the renderer's refusal of an action (the InvalidArgumentError pointToPixels /
 *  radiusToPixels throw), told apart from bugs by its class. */
export function isRefusal(err: unknown): boolean {
  return err instanceof InvalidArgumentError;
}
