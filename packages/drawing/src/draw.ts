// Applies DrawingActions to raster images. Marks (point, line, rectangle, circle, text) are drawn
// with the fixed style of style.ts; a crop returns the region as a new image, and the following
// actions' coordinates refer to that region.
//
// Errors: InvalidArgumentError with the field relative to the DrawingAction ("line.start.y",
// "color", "kind"); drawActions prefixes "actions[i]" (RenderRequest.actions). All actions are
// validated before any pixel work, so a bad action fails the call without partial work.
import { CoordinateSpace, type DrawingAction } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/runtime/errors";
import { parseColor, toHex } from "./colors";
import { pointToPixels, radiusToPixels } from "./coordinates";
import type { RasterImage } from "./images";
import { overlayFor, type Mark, type Overlay } from "./overlay";
import { patchedOn, readRegion, type Rect } from "./patches";
import { blendInto, rasterizeOverlays } from "./raster";
import { haloFor, styleFor, type StyleOverrides } from "./style";

export interface DrawOptions extends StyleOverrides {}

/** Longer text is refused: it would not fit on any image and only costs rasterizing time. */
export const MAX_TEXT_CODE_POINTS = 500;

type Op =
  | { op: "mark"; overlay: Overlay | undefined }
  | { op: "crop"; left: number; top: number; width: number; height: number };

/** Validates one action against a width×height image and turns it into an operation. */
function plan(action: DrawingAction, width: number, height: number, options: DrawOptions): Op {
  const kind = action.kind;
  if (!kind) throw new InvalidArgumentError("kind", "the action has no kind: set one of point, line, rectangle, circle, text, crop");
  const space = action.space ?? CoordinateSpace.COORDINATE_SPACE_UNSPECIFIED;
  const px = (p: Parameters<typeof pointToPixels>[0], field: string) => pointToPixels(p, space, width, height, field);
  const v = kind.value as unknown;
  if (v === undefined || v === null) throw new InvalidArgumentError(kind.$case, `${kind.$case} is empty`);

  let mark: Mark;
  switch (kind.$case) {
    case "crop": {
      const a = px(kind.value.corner1, "crop.corner1");
      const b = px(kind.value.corner2, "crop.corner2");
      // Outward rounding: the crop contains every pixel the region touches.
      const left = Math.floor(Math.min(a.x, b.x));
      const top = Math.floor(Math.min(a.y, b.y));
      const right = Math.ceil(Math.max(a.x, b.x));
      const bottom = Math.ceil(Math.max(a.y, b.y));
      if (right - left < 1 || bottom - top < 1) {
        throw new InvalidArgumentError("crop", `the crop region is empty (${right - left}x${bottom - top} px after clamping to the image)`);
      }
      return { op: "crop", left, top, width: right - left, height: bottom - top };
    }
    case "point":
      mark = { kind: "point", at: px(kind.value.at, "point.at") };
      break;
    case "line":
      mark = { kind: "line", start: px(kind.value.start, "line.start"), end: px(kind.value.end, "line.end") };
      break;
    case "rectangle":
      mark = { kind: "rectangle", a: px(kind.value.corner1, "rectangle.corner1"), b: px(kind.value.corner2, "rectangle.corner2") };
      break;
    case "circle": {
      const center = px(kind.value.center, "circle.center");
      // A zero radius would draw nothing; one pixel keeps the mark visible (a ring around the dot).
      const radius = Math.max(1, radiusToPixels(kind.value.radius, space, width, height, "circle.radius"));
      mark = { kind: "circle", center, radius };
      break;
    }
    case "text": {
      const text = kind.value.text ?? "";
      const length = [...text].length;
      if (length > MAX_TEXT_CODE_POINTS) {
        throw new InvalidArgumentError("text.text", `text is ${length} characters; the limit is ${MAX_TEXT_CODE_POINTS}`);
      }
      mark = { kind: "text", at: px(kind.value.at, "text.at"), text };
      if (text.trim() === "") return { op: "mark", overlay: undefined };
      break;
    }
    default: {
      const unknown: never = kind;
      throw new InvalidArgumentError("kind", `unknown action kind ${(unknown as { $case: string }).$case}`);
    }
  }
  const color = parseColor(action.color ?? "");
  const style = styleFor(width, height, options);
  const overlay = overlayFor(mark, style, toHex(color), toHex(haloFor(color)), width, height);
  return { op: "mark", overlay };
}

/**
 * Draws marks (rasterized concurrently, blended in order) onto `img`, returning a new image that
 * shares `img`'s pixels and holds only the marks' rectangles (a PatchedImage: no full copy).
 */
async function drawMarks(img: RasterImage, overlays: Overlay[]): Promise<RasterImage> {
  if (overlays.length === 0) return img;
  const rendered = await rasterizeOverlays(overlays);
  let current = img;
  for (const r of rendered) {
    const { left, top, width, height } = r.overlay;
    // Blend into the rectangle as it is now (earlier marks included), then place it.
    const pixels = readRegion(current, r.overlay);
    blendInto(pixels, { width, channels: img.channels }, { overlay: { ...r.overlay, left: 0, top: 0 }, rgba: r.rgba });
    current = patchedOn(current, [{ left, top, width, height, pixels }]);
  }
  return current;
}

async function execute(img: RasterImage, ops: Op[]): Promise<RasterImage> {
  let current = img;
  let pending: Overlay[] = [];
  for (const op of ops) {
    if (op.op === "mark") {
      if (op.overlay) pending.push(op.overlay);
      continue;
    }
    current = await drawMarks(current, pending);
    pending = [];
    current = { width: op.width, height: op.height, channels: current.channels, pixels: readRegion(current, op) };
  }
  return drawMarks(current, pending);
}

/** Draws one action; returns a new image (or `img` itself if the action leaves no visible mark). */
export async function drawAction(img: RasterImage, action: DrawingAction, options: DrawOptions = {}): Promise<RasterImage> {
  return execute(img, [plan(action, img.width, img.height, options)]);
}

/** A validated action, ready to draw on an image of the size it was planned for. */
export interface PlannedAction {
  readonly op: Op;
}

/**
 * Validates every action up front, each against the size of the image it will be drawn on (a crop
 * changes it), so a bad action fails before any pixel work or any after-image is sent.
 * `field(i)` names action i in errors ("actions[2]", "steps[2].action").
 */
export function planActions(
  size: { width: number; height: number },
  actions: readonly DrawingAction[],
  field: (i: number) => string,
  options: DrawOptions = {},
): PlannedAction[] {
  let { width, height } = size;
  return actions.map((action, i) => {
    try {
      const op = plan(action, width, height, options);
      if (op.op === "crop") ({ width, height } = op);
      return { op };
    } catch (err) {
      throw err instanceof InvalidArgumentError ? err.at(field(i)) : err;
    }
  });
}

/**
 * The rectangles where drawing `planned` in order can change pixels (each mark's clipped bounding
 * box, in order), or undefined when a crop changes the image's size. Empty: nothing is drawn.
 */
export function changedRegions(planned: readonly PlannedAction[]): Rect[] | undefined {
  const rects: Rect[] = [];
  for (const { op } of planned) {
    if (op.op === "crop") return undefined;
    if (op.overlay) rects.push({ left: op.overlay.left, top: op.overlay.top, width: op.overlay.width, height: op.overlay.height });
  }
  return rects;
}

/**
 * Rasterizes the marks of planned actions ahead, all in one librsvg call (raster.ts), so drawing
 * them one step at a time afterwards (RenderTrajectory) costs one rasterization, not one per step.
 */
export async function prerender(planned: readonly PlannedAction[]): Promise<void> {
  await rasterizeOverlays(planned.flatMap(({ op }) => (op.op === "mark" && op.overlay ? [op.overlay] : [])));
}

/** Draws planned actions in order (see planActions). */
export function drawPlanned(img: RasterImage, ...planned: PlannedAction[]): Promise<RasterImage> {
  return execute(img, planned.map((p) => p.op));
}

/** Draws actions in order, as if drawAction were applied one after another (same pixels). */
export async function drawActions(
  img: RasterImage,
  actions: readonly DrawingAction[],
  options: DrawOptions = {},
): Promise<RasterImage> {
  return execute(img, planActions(img, actions, (i) => `actions[${i}]`, options).map((p) => p.op));
}
