// Applies DrawingActions to raster images. Marks (point, line, rectangle, circle, text) are drawn
// with the fixed style of style.ts; a crop returns the region as a new image, and the following
// actions' coordinates refer to that region.
//
// Errors: InvalidArgumentError with the field relative to the DrawingAction ("line.start.y",
// "color", "kind"); drawActions prefixes "actions[i]" (RenderRequest.actions). All actions are
// validated before any pixel work, so a bad action fails the call without partial work.
import { CoordinateSpace, type DrawingAction } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import { parseColor, pointToPixels, radiusToPixels, toHex } from "@sketchvl/steps";
import type { Allocate, RasterImage } from "./images";
import { overlayFor, type Mark, type Overlay } from "./overlay";
import { type PlacedRegion, patchedOn, readRegion, type Rect } from "./patches";
import { blendInto, MAX_ATLAS_PIXELS, rasterizeGroups, rasterizeOverlays, releaseOverlay } from "./raster";
import { haloFor, styleFor, type StyleOverrides } from "./style";

export interface DrawOptions extends StyleOverrides {}

/** Longer text is refused: it would not fit on any image and only costs rasterizing time. */
export const MAX_TEXT_CODE_POINTS = 500;

type Op = { op: "mark"; overlay: Overlay | undefined } | { op: "crop"; left: number; top: number; width: number; height: number };

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
        throw new InvalidArgumentError("text.text", `text is ${length} characters; the limit is ${MAX_TEXT_CODE_POINTS}`, "LIMIT_EXCEEDED");
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

/** How drawing changed an image: a mark's blended rectangle placed over it, or a new image (a crop, or dense marks drawn on a full copy). */
export type Edit = { kind: "region"; region: PlacedRegion } | { kind: "image"; image: RasterImage };

/** The image `edits` make of `img`: what drawing it gave where the edits were recorded (another thread). */
export function applyEdits(img: RasterImage, edits: readonly Edit[]): RasterImage {
  let current = img;
  for (const e of edits) current = e.kind === "region" ? patchedOn(current, [e.region]) : e.image;
  return current;
}

/**
 * Marks rasterized at a time (librsvg's RGBA, held twice: atlas and split), so a call's memory is
 * bounded however many large marks it draws: 200 circles over a 1600×1200 chart are ~240 M pixels.
 */
export const RASTER_CHUNK_PIXELS = 2_000_000;

/** Overlays in order, in runs of at most RASTER_CHUNK_PIXELS (an overlay larger than that alone). */
function* chunks(overlays: readonly Overlay[]): Generator<Overlay[]> {
  let chunk: Overlay[] = [];
  let pixels = 0;
  for (const o of overlays) {
    if (chunk.length > 0 && pixels + o.width * o.height > RASTER_CHUNK_PIXELS) {
      yield chunk;
      chunk = [];
      pixels = 0;
    }
    chunk.push(o);
    pixels += o.width * o.height;
  }
  if (chunk.length > 0) yield chunk;
}

const pixelsOf = (overlays: readonly Overlay[]) => overlays.reduce((n, o) => n + o.width * o.height, 0);

/**
 * Draws marks (rasterized a chunk at a time, blended in order) onto `img`. Sparse marks give an
 * image that shares `img`'s pixels and holds only the marks' rectangles (a PatchedImage: no full
 * copy); marks covering more than half the image are blended into one full copy instead, which is
 * then smaller than their rectangles.
 */
async function drawMarks(img: RasterImage, overlays: Overlay[], edits: Edit[], alloc?: Allocate): Promise<RasterImage> {
  if (overlays.length === 0) return img;
  if (2 * pixelsOf(overlays) > img.width * img.height) {
    const full = { left: 0, top: 0, width: img.width, height: img.height };
    const target: RasterImage = { width: img.width, height: img.height, channels: img.channels, pixels: readRegion(img, full, alloc) };
    for (const chunk of chunks(overlays)) {
      for (const r of await rasterizeOverlays(chunk)) {
        blendInto(target.pixels, target, r);
        releaseOverlay(r.overlay);
      }
    }
    edits.push({ kind: "image", image: target });
    return target;
  }
  let current = img;
  for (const chunk of chunks(overlays)) {
    for (const r of await rasterizeOverlays(chunk)) {
      const { left, top, width, height } = r.overlay;
      // Blend into the rectangle as it is now (earlier marks included), then place it.
      const pixels = readRegion(current, r.overlay, alloc);
      blendInto(pixels, { width, channels: img.channels }, { ...r, overlay: { ...r.overlay, left: 0, top: 0 } });
      releaseOverlay(r.overlay);
      const region = { left, top, width, height, pixels };
      current = patchedOn(current, [region]);
      edits.push({ kind: "region", region });
    }
  }
  return current;
}

/** `alloc`: where the edits' new pixels go (drawing threads put them in shared memory: see drawSteps). */
async function execute(img: RasterImage, ops: readonly Op[], edits: Edit[] = [], alloc?: Allocate): Promise<RasterImage> {
  let current = img;
  let pending: Overlay[] = [];
  for (const op of ops) {
    if (op.op === "mark") {
      if (op.overlay) pending.push(op.overlay);
      continue;
    }
    current = await drawMarks(current, pending, edits, alloc);
    pending = [];
    current = { width: op.width, height: op.height, channels: current.channels, pixels: readRegion(current, op, alloc) };
    edits.push({ kind: "image", image: current });
  }
  return drawMarks(current, pending, edits, alloc);
}

/** Draws one action; returns a new image (or `img` itself if the action leaves no visible mark). */
export async function drawAction(img: RasterImage, action: DrawingAction, options: DrawOptions = {}): Promise<RasterImage> {
  return execute(img, [plan(action, img.width, img.height, options)]);
}

/** A validated action, ready to draw on an image of the size it was planned for (plain data: it can go to another thread). */
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

const overlaysOf = (step: readonly PlannedAction[]) => step.flatMap(({ op }) => (op.op === "mark" && op.overlay ? [op.overlay] : []));

/** Every mark of `steps`, in drawing order. */
export const stepOverlays = (steps: readonly (readonly PlannedAction[])[]) => steps.flatMap(overlaysOf);

/**
 * Rasterizes the marks of several trajectories together, a chunk of marked pixels at a time, as a
 * drawing thread does for light calls that arrive together: drawing them afterwards (drawPlanned,
 * drawSteps) calls sharp no more. For callers that draw a whole group in one process.
 */
export async function rasterizeTrajectories(trajectories: readonly (readonly (readonly PlannedAction[])[])[]): Promise<void> {
  let batch: (readonly (readonly PlannedAction[])[])[] = [];
  let pixels = 0;
  for (const t of trajectories) {
    const marked = markedPixels(t);
    if (batch.length > 0 && pixels + marked > RASTER_CHUNK_PIXELS) {
      await rasterizeGroups(batch.map(stepOverlays));
      batch = [];
      pixels = 0;
    }
    batch.push(t);
    pixels += marked;
  }
  if (batch.length > 0) await rasterizeGroups(batch.map(stepOverlays));
}

/**
 * Draws each step on the image the step before left, yielding each step's edits (applyEdits
 * turns them into its after-image). The marks of the next steps are rasterized together, as many
 * as fit in RASTER_CHUNK_PIXELS: one librsvg call for a trajectory's marks, not one per step.
 * The edits' pixels come from `alloc` (sharedBuffer on a drawing thread: posted without a copy).
 */
export async function* drawSteps(img: RasterImage, steps: readonly (readonly PlannedAction[])[], alloc?: Allocate): AsyncGenerator<Edit[]> {
  let current = img;
  let rasterizedUpTo = 0;
  for (const [i, step] of steps.entries()) {
    if (i >= rasterizedUpTo) {
      let end = i;
      let pixels = 0;
      while (end < steps.length && (end === i || pixels + pixelsOf(overlaysOf(steps[end])) <= RASTER_CHUNK_PIXELS))
        pixels += pixelsOf(overlaysOf(steps[end++]));
      if (end > i + 1 && pixels <= RASTER_CHUNK_PIXELS) await rasterizeOverlays(steps.slice(i, end).flatMap(overlaysOf));
      rasterizedUpTo = end;
    }
    const edits: Edit[] = [];
    current = await execute(
      current,
      step.map((p) => p.op),
      edits,
      alloc,
    );
    yield edits;
  }
}

/** The pixels of every mark of `steps`: what rasterizing and blending them costs. */
export function markedPixels(steps: readonly (readonly PlannedAction[])[]): number {
  return steps.reduce((n, step) => n + pixelsOf(overlaysOf(step)), 0);
}

/**
 * Bytes of working memory drawing `steps` on an image of `size` may hold at once: the marks
 * rasterized at a time, and every step's new pixels (its marks' rectangles, or a full copy when
 * they are dense or it crops), kept until the call ends. An estimate for admission, not a bound
 * libvips guarantees.
 */
export function drawingBytes(size: { width: number; height: number }, steps: readonly (readonly PlannedAction[])[]): number {
  let { width, height } = size;
  let bytes = 0;
  let marked = 0;
  let largest = 0;
  for (const step of steps) {
    let pixels = 0;
    for (const { op } of step) {
      if (op.op === "crop") {
        bytes += Math.min(3 * pixels, 3 * width * height) + 3 * op.width * op.height;
        ({ width, height } = op);
        pixels = 0;
      } else if (op.overlay) {
        const px = op.overlay.width * op.overlay.height;
        pixels += px;
        marked += px;
        largest = Math.max(largest, px);
      }
    }
    bytes += Math.min(3 * pixels, 3 * width * height);
  }
  // RGBA: an atlas (or the largest mark alone) and each mark's own copy of its part.
  const rasterized = Math.min(marked, RASTER_CHUNK_PIXELS);
  return bytes + 4 * Math.max(2 * largest, Math.min(2 * rasterized, MAX_ATLAS_PIXELS) + rasterized);
}

/** Draws planned actions in order (see planActions). */
export function drawPlanned(img: RasterImage, ...planned: PlannedAction[]): Promise<RasterImage> {
  return execute(
    img,
    planned.map((p) => p.op),
  );
}

/** Draws actions in order, as if drawAction were applied one after another (same pixels). */
export async function drawActions(img: RasterImage, actions: readonly DrawingAction[], options: DrawOptions = {}): Promise<RasterImage> {
  return execute(
    img,
    planActions(img, actions, (i) => `actions[${i}]`, options).map((p) => p.op),
  );
}
