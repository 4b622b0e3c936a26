// A DrawingAction as pixel geometry on the image it was drawn on, the way @sketchvl/drawing places
// it (NORM_1000 / UNIT / PIXEL, points clamped to the image). Never throws: a malformed action
// (missing point, non-finite number) still gets a defined geometry, so a batch never fails here.
import { CoordinateSpace, type DrawingAction } from "@sketchvl/contract";

/**
 * Action type codes, in the order of the type one-hot in the "meta" input: the contract's kind
 * names (a test checks they are all there) plus "none". The order is the trained model's input
 * layout, not ActionKind's, so it stays as it is; TYPE_BOX is the rectangle's code (its geometry is
 * a box, as a crop's is).
 */
export const ACTION_TYPES = ["rectangle", "line", "point", "circle", "text", "crop", "none"] as const;
export type ActionTypeName = (typeof ACTION_TYPES)[number];

export const TYPE_BOX = 0;
export const TYPE_LINE = 1;
export const TYPE_POINT = 2;
export const TYPE_CIRCLE = 3;
export const TYPE_TEXT = 4;
export const TYPE_CROP = 5;
export const TYPE_NONE = 6;

/**
 * Pixel geometry. Box and crop: (x1, y1) top-left, (x2, y2) bottom-right. Line: start (x1, y1),
 * end (x2, y2). Point and text: (x1, y1) = (x2, y2) = the spot. Circle: centre (x1, y1) = (x2, y2),
 * radius r. None: the whole image.
 */
export interface StepGeometry {
  type: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  r: number;
  width: number;
  height: number;
  /** 1% of the image diagonal, the unit the reference scorer measures distances in. */
  u: number;
}

const fin = (v: number | undefined): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : Math.min(v, hi));

/** Decodes `action` on a width×height image (the before image). */
export function stepGeometry(action: DrawingAction | undefined, width: number, height: number): StepGeometry {
  const w = Math.max(1, width);
  const h = Math.max(1, height);
  let sx = w / 1000;
  let sy = h / 1000;
  let sr = Math.min(w, h) / 1000;
  const space = action?.space;
  if (space === CoordinateSpace.COORDINATE_SPACE_PIXEL) sx = sy = sr = 1;
  else if (space === CoordinateSpace.COORDINATE_SPACE_UNIT) {
    sx = w;
    sy = h;
    sr = Math.min(w, h);
  }
  const g: StepGeometry = { type: TYPE_NONE, x1: 0, y1: 0, x2: w, y2: h, r: 0, width: w, height: h, u: Math.hypot(w, h) * 0.01 };
  const px = (p: { x: number; y: number } | undefined): boolean => {
    if (!p) return false;
    g.x1 = clamp(fin(p.x) * sx, 0, w);
    g.y1 = clamp(fin(p.y) * sy, 0, h);
    g.x2 = g.x1;
    g.y2 = g.y1;
    return true;
  };
  const two = (a: { x: number; y: number } | undefined, b: { x: number; y: number } | undefined): boolean => {
    if (!a || !b) return false;
    g.x1 = clamp(fin(a.x) * sx, 0, w);
    g.y1 = clamp(fin(a.y) * sy, 0, h);
    g.x2 = clamp(fin(b.x) * sx, 0, w);
    g.y2 = clamp(fin(b.y) * sy, 0, h);
    return true;
  };
  const sortCorners = (): void => {
    const [ax, bx] = g.x1 <= g.x2 ? [g.x1, g.x2] : [g.x2, g.x1];
    const [ay, by] = g.y1 <= g.y2 ? [g.y1, g.y2] : [g.y2, g.y1];
    g.x1 = ax;
    g.x2 = bx;
    g.y1 = ay;
    g.y2 = by;
  };
  const k = action?.kind;
  if (!k || k.value === undefined || k.value === null) return g;
  switch (k.$case) {
    case "rectangle":
      if (two(k.value.corner1, k.value.corner2)) {
        sortCorners();
        g.type = TYPE_BOX;
      }
      break;
    case "crop":
      if (two(k.value.corner1, k.value.corner2)) {
        sortCorners();
        g.type = TYPE_CROP;
      }
      break;
    case "line":
      if (two(k.value.start, k.value.end)) g.type = TYPE_LINE;
      break;
    case "point":
      if (px(k.value.at)) g.type = TYPE_POINT;
      break;
    case "circle":
      if (px(k.value.center)) {
        g.type = TYPE_CIRCLE;
        // The renderer draws at least a 1 px radius; an absurd radius is capped at the image's size.
        g.r = clamp(fin(k.value.radius) * sr, 1, 2 * Math.max(w, h));
      }
      break;
    case "text":
      if (px(k.value.at)) g.type = TYPE_TEXT;
      break;
  }
  if (g.type === TYPE_NONE) {
    g.x1 = 0;
    g.y1 = 0;
    g.x2 = w;
    g.y2 = h;
  }
  return g;
}
