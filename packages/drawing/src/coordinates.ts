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
import { CoordinateSpace, type Point2 } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/runtime/errors";

export interface Px {
  x: number;
  y: number;
}

/** How many pixels one unit of `space` is along x, along y, and along min(W, H) (for radii). */
function scale(space: CoordinateSpace, width: number, height: number, field: string) {
  const short = Math.min(width, height);
  switch (space) {
    case CoordinateSpace.COORDINATE_SPACE_UNSPECIFIED:
    case CoordinateSpace.COORDINATE_SPACE_NORM_1000:
      return { sx: width / 1000, sy: height / 1000, sr: short / 1000, rangeX: 1000, rangeY: 1000, rangeR: 1000, name: "NORM_1000" };
    case CoordinateSpace.COORDINATE_SPACE_UNIT:
      return { sx: width, sy: height, sr: short, rangeX: 1, rangeY: 1, rangeR: 1, name: "UNIT" };
    case CoordinateSpace.COORDINATE_SPACE_PIXEL:
      return { sx: 1, sy: 1, sr: 1, rangeX: width, rangeY: height, rangeR: short, name: "PIXEL" };
    default:
      throw new InvalidArgumentError(field, `unknown coordinate space ${space}`);
  }
}

function checkValue(v: number, range: number, spaceName: string, field: string): void {
  if (!Number.isFinite(v)) throw new InvalidArgumentError(field, `coordinate is ${v}, not a finite number`);
  if (v < -range || v > 2 * range) {
    throw new InvalidArgumentError(
      field,
      `absurd coordinate ${v}: ${spaceName} allows ${-range}..${2 * range} (values just outside 0..${range} are clamped)`,
    );
  }
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * Converts a required point to clamped pixel coordinates. `field` names the point relative to the
 * action ("line.start"); errors name its member ("line.start.y").
 */
export function pointToPixels(
  p: Point2 | undefined,
  space: CoordinateSpace,
  width: number,
  height: number,
  field: string,
): Px {
  if (p === undefined || p === null) throw new InvalidArgumentError(field, "point is required");
  const s = scale(space, width, height, "space");
  checkValue(p.x, s.rangeX, s.name, `${field}.x`);
  checkValue(p.y, s.rangeY, s.name, `${field}.y`);
  return { x: clamp(p.x * s.sx, 0, width), y: clamp(p.y * s.sy, 0, height) };
}

/** Converts a radius to pixels, measured along the image's shorter side. */
export function radiusToPixels(
  r: number,
  space: CoordinateSpace,
  width: number,
  height: number,
  field: string,
): number {
  const s = scale(space, width, height, "space");
  if (!Number.isFinite(r)) throw new InvalidArgumentError(field, `radius is ${r}, not a finite number`);
  if (r < 0) throw new InvalidArgumentError(field, `radius ${r} is negative`);
  if (r > 2 * s.rangeR) throw new InvalidArgumentError(field, `absurd radius ${r}: ${s.name} allows 0..${2 * s.rangeR}`);
  return r * s.sr;
}
