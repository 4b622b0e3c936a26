// Pixel geometry shared by annotations, targets and the scorer. Pixels are those of the
// rasterized PNG: origin top-left, x right, y down.

export interface Pt {
  x: number;
  y: number;
}

/** Axis-aligned box, x1 <= x2 and y1 <= y2. */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export function boxOf(x1: number, y1: number, x2: number, y2: number): Box {
  return { x1: Math.min(x1, x2), y1: Math.min(y1, y2), x2: Math.max(x1, x2), y2: Math.max(y1, y2) };
}

export function unionBox(a: Box, b: Box): Box {
  return { x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1), x2: Math.max(a.x2, b.x2), y2: Math.max(a.y2, b.y2) };
}

export function boxCenter(b: Box): Pt {
  return { x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 };
}

export function boxArea(b: Box): number {
  return Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
}

/** Intersection over union of two boxes given as plain numbers (no allocation: used in hot loops). */
export function iou(ax1: number, ay1: number, ax2: number, ay2: number, bx1: number, by1: number, bx2: number, by2: number): number {
  const iw = Math.min(ax2, bx2) - Math.max(ax1, bx1);
  const ih = Math.min(ay2, by2) - Math.max(ay1, by1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
  return union > 0 ? inter / union : 0;
}

export function boxesOverlap(a: Box, b: Box, margin = 0): boolean {
  return a.x1 < b.x2 + margin && b.x1 < a.x2 + margin && a.y1 < b.y2 + margin && b.y1 < a.y2 + margin;
}

export function boxInside(inner: Box, outer: Box, tolerance = 0): boolean {
  return inner.x1 >= outer.x1 - tolerance && inner.y1 >= outer.y1 - tolerance && inner.x2 <= outer.x2 + tolerance && inner.y2 <= outer.y2 + tolerance;
}

export function roundBox(b: Box, digits = 2): Box {
  const f = 10 ** digits;
  return { x1: Math.round(b.x1 * f) / f, y1: Math.round(b.y1 * f) / f, x2: Math.round(b.x2 * f) / f, y2: Math.round(b.y2 * f) / f };
}
