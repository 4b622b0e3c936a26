// The reference process scorer: exact FinePRM labels for a step drawn on a ChartWorld chart, from
// the action's geometry against the expert target, in pixels converted exactly as the renderer
// converts them (@sketchvl/drawing). Hot path (PRM data, RL reward checks): element geometry is
// indexed once per chart into a Float64Array and the action decoded into scratch slots.
import { type DrawingAction, PRM_LABEL_NAMES, PRM_LABEL_SCALE, type PrmLabelName } from "@sketchvl/contract";
import type { ChartAnnotations, ElementKind } from "./chartTypes";
import { iou } from "./geometry";
import { actionToShape, type ImageSize } from "./actionShapes";
import type { StepTarget } from "./stepTarget";

/**
 * Thresholds, documented in README.md. u = 1% of the image diagonal. Each row is
 * [excellent, acceptable, poor]; anything worse is unacceptable.
 */
export const SCORE_THRESHOLDS = {
  /** Box: IoU after growing both boxes by `boxSlackPx + boxSlackDiag * diagonal` px (forgives 1-3 px on tiny legend entries). */
  boxIou: [0.7, 0.5, 0.25],
  boxSlackPx: 2,
  boxSlackDiag: 0.003,
  /** Point: distance to the target spot, in u. */
  pointDistance: [1, 2.5, 5],
  /** Circle: centre distance in units of R = max(target radius, u), and the radius ratio (larger / smaller). */
  circleCenter: [0.5, 1, 2.5],
  circleRadiusRatio: [1.6, 2.25, 4],
  /** Line: angle to the target line (degrees), farthest endpoint's distance from it (u), share of the target covered. */
  lineAngleDeg: [3, 8, 20],
  lineOffset: [0.6, 1.5, 4],
  lineCoverage: [0.75, 0.4, 0.15],
} as const;

interface ChartIndex {
  /** Per element: x1, y1, x2, y2, anchorX, anchorY. */
  geom: Float64Array;
  idIndex: Map<string, number>;
  byKind: Map<ElementKind, Int32Array>;
  unit: number;
  slack: number;
}

const indexCache = new WeakMap<ChartAnnotations, ChartIndex>();

function indexOf(a: ChartAnnotations): ChartIndex {
  let ix = indexCache.get(a);
  if (ix) return ix;
  const n = a.elements.length;
  const geom = new Float64Array(n * 6);
  const idIndex = new Map<string, number>();
  const lists = new Map<ElementKind, number[]>();
  a.elements.forEach((e, i) => {
    geom.set([e.box.x1, e.box.y1, e.box.x2, e.box.y2, e.anchor.x, e.anchor.y], i * 6);
    idIndex.set(e.id, i);
    const l = lists.get(e.kind) ?? [];
    l.push(i);
    lists.set(e.kind, l);
  });
  const byKind = new Map<ElementKind, Int32Array>();
  for (const [k, l] of lists) byKind.set(k, Int32Array.from(l));
  const diag = Math.hypot(a.width, a.height);
  ix = { geom, idIndex, byKind, unit: diag * 0.01, slack: SCORE_THRESHOLDS.boxSlackPx + SCORE_THRESHOLDS.boxSlackDiag * diag };
  indexCache.set(a, ix);
  return ix;
}

// Action geometry in pixels, decoded into scratch slots.
const TYPE_NONE = 0;
const TYPE_BOX = 1;
const TYPE_LINE = 2;
const TYPE_POINT = 3;
const TYPE_CIRCLE = 4;
const TYPE_TEXT = 5;
const act = new Float64Array(5);

/**
 * Decodes `action` into `act`, in pixels as the renderer converts them (actionShapes.ts's
 * actionToShape). An action the renderer would refuse to draw (a missing point; a coordinate not
 * finite or beyond one range outside; a negative or absurd radius; an unknown space) decodes to
 * TYPE_NONE, which every target rates unacceptable.
 */
function decode(action: DrawingAction, size: ImageSize): number {
  const s = actionToShape(action, size);
  switch (s?.type) {
    case "box":
      return slots(TYPE_BOX, s.box.x1, s.box.y1, s.box.x2, s.box.y2);
    case "line":
      return slots(TYPE_LINE, s.p1.x, s.p1.y, s.p2.x, s.p2.y);
    case "point":
      return slots(TYPE_POINT, s.at.x, s.at.y);
    case "circle":
      return slots(TYPE_CIRCLE, s.center.x, s.center.y, s.r);
    case "text":
      return TYPE_TEXT;
    default:
      return TYPE_NONE;
  }
}

function slots(type: number, a: number, b: number, c = 0, d = 0): number {
  act[0] = a;
  act[1] = b;
  act[2] = c;
  act[3] = d;
  return type;
}

function grade(value: number, limits: readonly number[], higherIsBetter: boolean): number {
  for (let i = 0; i < 3; i++) if (higherIsBetter ? value >= limits[i] : value <= limits[i]) return i;
  return 3;
}

/** True when a rival element (same kind, not the target) matches the action better than the target does. */
function rivalWins(ix: ChartIndex, target: StepTarget, ownIndex: number, better: (g: Float64Array, o: number) => boolean): boolean {
  if (target.rivalKind === null) return false;
  const rivals = ix.byKind.get(target.rivalKind);
  if (!rivals) return false;
  for (let r = 0; r < rivals.length; r++) {
    const i = rivals[r];
    if (i !== ownIndex && better(ix.geom, i * 6)) return true;
  }
  return false;
}

function scoreIndex(a: ChartAnnotations, target: StepTarget, action: DrawingAction): number {
  const ix = indexOf(a);
  const type = decode(action, a);
  const t = target.shape;
  const own = target.elementId === null ? -1 : (ix.idIndex.get(target.elementId) ?? -1);
  const u = ix.unit;
  const th = SCORE_THRESHOLDS;
  if (t.type === "box") {
    if (type !== TYPE_BOX) return 3;
    const s = ix.slack;
    const ax1 = act[0] - s,
      ay1 = act[1] - s,
      ax2 = act[2] + s,
      ay2 = act[3] + s;
    const v = iou(ax1, ay1, ax2, ay2, t.box.x1 - s, t.box.y1 - s, t.box.x2 + s, t.box.y2 + s);
    const g = grade(v, th.boxIou, true);
    if (g === 0) return 0;
    const wrong = rivalWins(ix, target, own, (geom, o) => {
      const r = iou(ax1, ay1, ax2, ay2, geom[o] - s, geom[o + 1] - s, geom[o + 2] + s, geom[o + 3] + s);
      return r > v && r >= th.boxIou[2];
    });
    return wrong ? 3 : g;
  }
  if (t.type === "point") {
    if (type !== TYPE_POINT) return 3;
    const d = Math.hypot(act[0] - t.at.x, act[1] - t.at.y);
    const g = grade(d / u, th.pointDistance, false);
    if (g === 0) return 0;
    return rivalWins(ix, target, own, (geom, o) => Math.hypot(act[0] - geom[o + 4], act[1] - geom[o + 5]) < d) ? 3 : g;
  }
  if (t.type === "circle") {
    if (type !== TYPE_CIRCLE || !(act[2] > 0)) return 3;
    const R = Math.max(t.r, u);
    const dc = Math.hypot(act[0] - t.center.x, act[1] - t.center.y);
    const ratio = act[2] > t.r ? act[2] / t.r : t.r / act[2];
    const g = Math.max(grade(dc / R, th.circleCenter, false), grade(ratio, th.circleRadiusRatio, false));
    if (g === 0) return 0;
    return rivalWins(ix, target, own, (geom, o) => Math.hypot(act[0] - geom[o + 4], act[1] - geom[o + 5]) < dc) ? 3 : g;
  }
  // Line.
  if (type !== TYPE_LINE) return 3;
  const tx = t.p2.x - t.p1.x;
  const ty = t.p2.y - t.p1.y;
  const L = Math.hypot(tx, ty);
  const lx = act[2] - act[0];
  const ly = act[3] - act[1];
  const La = Math.hypot(lx, ly);
  if (La < 1e-6 || L < 1e-6) return 3;
  const ux = tx / L;
  const uy = ty / L;
  const cos = Math.min(1, Math.abs(ux * lx + uy * ly) / La);
  const angle = (Math.acos(cos) * 180) / Math.PI;
  const o1 = Math.abs(-uy * (act[0] - t.p1.x) + ux * (act[1] - t.p1.y));
  const o2 = Math.abs(-uy * (act[2] - t.p1.x) + ux * (act[3] - t.p1.y));
  const p1 = ux * (act[0] - t.p1.x) + uy * (act[1] - t.p1.y);
  const p2 = ux * (act[2] - t.p1.x) + uy * (act[3] - t.p1.y);
  const cov = Math.max(0, Math.min(Math.max(p1, p2), L) - Math.max(Math.min(p1, p2), 0)) / L;
  const g = Math.max(grade(angle, th.lineAngleDeg, false), grade(Math.max(o1, o2) / u, th.lineOffset, false), grade(cov, th.lineCoverage, true));
  if (g === 0 || own < 0) return g;
  // A line that identifies a category (a drop line to the x axis): nearer another category's anchor = wrong element.
  const vertical = Math.abs(ux) < Math.abs(uy);
  const mine = vertical ? (act[0] + act[2]) / 2 : (act[1] + act[3]) / 2;
  const d = Math.abs(mine - ix.geom[own * 6 + (vertical ? 4 : 5)]);
  return rivalWins(ix, target, own, (geom, o) => Math.abs(mine - geom[o + (vertical ? 4 : 5)]) < d) ? 3 : g;
}

/** FinePRM label of `action` for the step whose expert target is `target`, on chart `annotations`. */
export function scoreStep(annotations: ChartAnnotations, target: StepTarget, action: DrawingAction): PrmLabelName {
  return PRM_LABEL_NAMES[scoreIndex(annotations, target, action)];
}

/** scoreStep as FinePRM's scalar (the label's score on the shared scale). */
export function scoreStepValue(annotations: ChartAnnotations, target: StepTarget, action: DrawingAction): number {
  return PRM_LABEL_SCALE[scoreIndex(annotations, target, action)].score;
}
