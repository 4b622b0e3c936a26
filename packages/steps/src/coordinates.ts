// Action coordinates → pixel coordinates of the image being drawn on.
//
// Pixel coordinates are continuous: pixel (i, j) covers [i, i+1) × [j, j+1), so x = W is the
// image's right edge. NORM_1000 maps 0..1000 to 0..W (x) and 0..H (y); UNIT maps 0..1; PIXEL is
// taken as is. UNSPECIFIED means NORM_1000 (the proto's default).
//
// Out-of-range policy:
// - NaN / ±Infinity: InvalidArgumentError naming the field ("line.start.y").
// - Within the space's range extended by 100% on each side (NORM_1000: −1000..2000, UNIT: −1..2,
//   PIXEL: −W..2W): clamped to the image. Models often write 1003 or −2 for "at the edge".
// - Beyond that: InvalidArgumentError "absurd coordinate" (almost surely a parse or model bug
//   that would otherwise be silently drawn on the border).
// - Radius (measured along min(W, H)): negative, non-finite or above 2× the range → rejected;
//   otherwise not clamped (a circle bigger than the image is simply cut by the border).
// coordinateProblem states this policy as a pure check, so parsers and scorers can apply the
// renderer's rule without an image (and without re-writing it).
import { CoordinateSpace, type Point2 } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";

export interface Px {
  x: number;
  y: number;
}

/** A coordinate's role: x and y are clamped within one range outside; a radius is not clamped. */
export type CoordinateAxis = "x" | "y" | "radius";

interface SpaceRange {
  rangeX: number;
  rangeY: number;
  /** Radii are measured along min(W, H). */
  rangeR: number;
  name: string;
}

const NORM_1000: SpaceRange = { rangeX: 1000, rangeY: 1000, rangeR: 1000, name: "NORM_1000" };
const UNIT: SpaceRange = { rangeX: 1, rangeY: 1, rangeR: 1, name: "UNIT" };

/** The 0..range of each axis in `space`; PIXEL needs the image size. Undefined for an unknown space. */
function rangeOf(space: CoordinateSpace, width: number, height: number): SpaceRange | undefined {
  switch (space) {
    case CoordinateSpace.COORDINATE_SPACE_UNSPECIFIED:
    case CoordinateSpace.COORDINATE_SPACE_NORM_1000:
      return NORM_1000;
    case CoordinateSpace.COORDINATE_SPACE_UNIT:
      return UNIT;
    case CoordinateSpace.COORDINATE_SPACE_PIXEL:
      return { rangeX: width, rangeY: height, rangeR: Math.min(width, height), name: "PIXEL" };
    default:
      return undefined;
  }
}

/** How many pixels one unit of `space` is along x, along y, and along min(W, H) (for radii). */
function scale(space: CoordinateSpace, width: number, height: number, field: string) {
  const r = rangeOf(space, width, height);
  if (!r) throw new InvalidArgumentError(field, `unknown coordinate space ${space}`);
  return { range: r, sx: width / r.rangeX, sy: height / r.rangeY, sr: Math.min(width, height) / r.rangeR };
}

/** The out-of-range policy of the file comment, for one value against its axis's 0..range. */
function valueProblem(v: number, axis: CoordinateAxis, r: SpaceRange): string | undefined {
  if (axis === "radius") {
    if (!Number.isFinite(v)) return `radius is ${v}, not a finite number`;
    if (v < 0) return `radius ${v} is negative`;
    if (v > 2 * r.rangeR) return `absurd radius ${v}: ${r.name} allows 0..${2 * r.rangeR}`;
    return undefined;
  }
  if (!Number.isFinite(v)) return `coordinate is ${v}, not a finite number`;
  const range = axis === "x" ? r.rangeX : r.rangeY;
  if (v < -range || v > 2 * range) {
    return `absurd coordinate ${v}: ${r.name} allows ${-range}..${2 * range} (values just outside 0..${range} are clamped)`;
  }
  return undefined;
}

/**
 * Why the renderer would refuse `value` as an `axis` coordinate in `space`, or undefined when it
 * accepts it (clamping it if it is a little outside). Pure: this is the rule pointToPixels and
 * radiusToPixels apply, for checking values before there is an image (the parsers do, at parse
 * time). PIXEL ranges depend on the image: without `size`, only finiteness (and a radius's sign)
 * is checked there.
 */
export function coordinateProblem(value: number, axis: CoordinateAxis, space: CoordinateSpace, size?: { width: number; height: number }): string | undefined {
  const r = rangeOf(space, size?.width ?? Infinity, size?.height ?? Infinity);
  if (!r) return `unknown coordinate space ${space}`;
  return valueProblem(value, axis, r);
}

/** Throws for a refused value; the field name is only built then (this is on the scorer's hot path). */
function checkValue(v: number, axis: CoordinateAxis, r: SpaceRange, field: string, member = ""): void {
  const problem = valueProblem(v, axis, r);
  if (problem) throw new InvalidArgumentError(field + member, problem);
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * Converts a required point to clamped pixel coordinates. `field` names the point relative to the
 * action ("line.start"); errors name its member ("line.start.y").
 */
export function pointToPixels(p: Point2 | undefined, space: CoordinateSpace, width: number, height: number, field: string): Px {
  if (p === undefined || p === null) throw new InvalidArgumentError(field, "point is required");
  const s = scale(space, width, height, "space");
  checkValue(p.x, "x", s.range, field, ".x");
  checkValue(p.y, "y", s.range, field, ".y");
  return { x: clamp(p.x * s.sx, 0, width), y: clamp(p.y * s.sy, 0, height) };
}

/** Converts a radius to pixels, measured along the image's shorter side. */
export function radiusToPixels(r: number, space: CoordinateSpace, width: number, height: number, field: string): number {
  const s = scale(space, width, height, "space");
  checkValue(r, "radius", s.range, field);
  return r * s.sr;
}
