// The input encoding "finepr-v2": one step → four tensors.
//
//   local   [B, 5, 32, 32]   the action's own window (its box, or a fixed-size spot in units of u)
//   context [B, 5, 16, 16]   the same centre, three times wider and taller (capped near the image size)
//   ends    [B, 10, 16, 16]  two close-ups where precision is judged: a line's two ends, a box's
//                            top-left and bottom-right corners, a point's or circle's centre at two scales
//   meta    [B, 108]         action type one-hot, normalised geometry, intent features, and whether
//                            the text at the mark's label spots says what the intent names (textMatch.ts)
//
// Patch channels: before-image ink R, G, B; the change after − before; inside-the-image (patches.ts).
// Windows are sized by what the reference scorer measures: boxes relative to their own size (IoU is
// scale-free), points / line offsets in u = 1% of the image diagonal, circles by their radius.
import { type DrawingAction, PRM_LABEL_NAMES, type PrmLabelName } from "@sketchvl/contract";
import type { RasterImage } from "@sketchvl/drawing";
import { ACTION_TYPES, stepGeometry, TYPE_BOX, TYPE_CIRCLE, TYPE_CROP, TYPE_LINE, TYPE_NONE, TYPE_POINT, TYPE_TEXT, type StepGeometry } from "./geometry";
import { INTENT_FEATURES, intentFeatures } from "./intent";
import { PATCH_CHANNELS, samplePatch, stepPixels, type StepPixels, type Window } from "./patches";
import { glyphAtlas } from "./glyphs";
import { TEXT_FEATURES, textFeatures } from "./textMatch";

/** Names the input encoding; written into the model's config.json and checked by the service. */
export const FEATURE_SET = "finepr-v2";

/**
 * The output order of the model's "probabilities": the shared label scale's order, best first.
 * A trained model.onnx bakes this order in (config.json records it), so it is read, never redefined.
 */
export const LABELS = PRM_LABEL_NAMES;
export type Label = PrmLabelName;

/** One step to score: the intent, the action, and the images before and after it was drawn. */
export interface PrmStepInput {
  intent: string;
  action: DrawingAction;
  before: RasterImage;
  after: RasterImage;
}

export const LOCAL_SIZE = 32;
export const CONTEXT_SIZE = 16;
export const ENDS_SIZE = 16;
/** Geometry scalars in "meta" after the type one-hot. */
export const GEOMETRY_FEATURES = 18;
export const META_FEATURES = ACTION_TYPES.length + GEOMETRY_FEATURES + INTENT_FEATURES + TEXT_FEATURES;

/** Input names and per-step shapes (without the batch dimension), in graph order. */
export const INPUTS = [
  { name: "local", shape: [PATCH_CHANNELS, LOCAL_SIZE, LOCAL_SIZE] },
  { name: "context", shape: [PATCH_CHANNELS, CONTEXT_SIZE, CONTEXT_SIZE] },
  { name: "ends", shape: [2 * PATCH_CHANNELS, ENDS_SIZE, ENDS_SIZE] },
  { name: "meta", shape: [META_FEATURES] },
] as const;
export type InputName = (typeof INPUTS)[number]["name"];

export interface TensorData {
  data: Float32Array;
  dims: number[];
}

const LOCAL_LEN = PATCH_CHANNELS * LOCAL_SIZE * LOCAL_SIZE;
const CONTEXT_LEN = PATCH_CHANNELS * CONTEXT_SIZE * CONTEXT_SIZE;
const END_LEN = PATCH_CHANNELS * ENDS_SIZE * ENDS_SIZE;

/** The local window of a step. */
export function localWindow(g: StepGeometry): Window {
  const u = g.u;
  const cx = (g.x1 + g.x2) / 2;
  const cy = (g.y1 + g.y2) / 2;
  const dx = Math.abs(g.x2 - g.x1);
  const dy = Math.abs(g.y2 - g.y1);
  switch (g.type) {
    case TYPE_BOX:
    case TYPE_CROP:
      return { cx, cy, hx: 0.875 * dx + 0.5 * u, hy: 0.875 * dy + 0.5 * u };
    case TYPE_LINE: {
      // Along the line: its extent plus 15% (to see whether it reaches the target's ends);
      // across it: ±5u, the scorer's whole offset range.
      const horizontal = dx >= dy;
      const along = (len: number): number => len / 2 + Math.max(0.15 * len, 2 * u);
      return horizontal ? { cx, cy, hx: along(dx), hy: dy / 2 + 5 * u } : { cx, cy, hx: dx / 2 + 5 * u, hy: along(dy) };
    }
    case TYPE_CIRCLE: {
      const h = Math.max(2 * g.r, 3 * u);
      return { cx, cy, hx: h, hy: h };
    }
    case TYPE_POINT:
    case TYPE_TEXT:
      return { cx, cy, hx: 6 * u, hy: 6 * u };
    default:
      return { cx: g.width / 2, cy: g.height / 2, hx: g.width / 2, hy: g.height / 2 };
  }
}

/** The context window: the local one ×3 on each axis, at least 8u, at most 0.6 of the image side. */
export function contextWindow(g: StepGeometry, local: Window): Window {
  const ext = (h: number, side: number): number => Math.max(h, Math.min(Math.max(3 * h, 8 * g.u), 0.6 * side));
  return { cx: local.cx, cy: local.cy, hx: ext(local.hx, g.width), hy: ext(local.hy, g.height) };
}

/** The two close-up windows of a step (see the file comment). */
export function endWindows(g: StepGeometry): [Window, Window] {
  const u = g.u;
  const sq = (cx: number, cy: number, h: number): Window => ({ cx, cy, hx: h, hy: h });
  switch (g.type) {
    case TYPE_LINE:
      // ±3u: the scorer's offset thresholds are 0.6u / 1.5u / 4u at the farther end.
      return [sq(g.x1, g.y1, 3 * u), sq(g.x2, g.y2, 3 * u)];
    case TYPE_BOX:
    case TYPE_CROP: {
      const h = 0.5 * Math.min(g.x2 - g.x1, g.y2 - g.y1) + 0.75 * u;
      return [sq(g.x1, g.y1, h), sq(g.x2, g.y2, h)];
    }
    case TYPE_CIRCLE:
      return [sq(g.x1, g.y1, Math.max(1.25 * g.r, u)), sq(g.x1, g.y1, Math.max(4 * g.r, 6 * u))];
    case TYPE_POINT:
    case TYPE_TEXT:
      return [sq(g.x1, g.y1, 2 * u), sq(g.x1, g.y1, 4 * u)];
    default: {
      const whole: Window = { cx: g.width / 2, cy: g.height / 2, hx: g.width / 2, hy: g.height / 2 };
      return [whole, whole];
    }
  }
}

const log1p = Math.log1p;

/** Type one-hot + geometry scalars (all O(1)) at out[offset ..]. */
function geometryFeatures(g: StepGeometry, out: Float32Array, offset: number): void {
  out.fill(0, offset, offset + ACTION_TYPES.length + GEOMETRY_FEATURES);
  out[offset + g.type] = 1;
  const o = offset + ACTION_TYPES.length;
  const u = g.u;
  const W = g.width;
  const H = g.height;
  const dx = Math.abs(g.x2 - g.x1);
  const dy = Math.abs(g.y2 - g.y1);
  out[o] = (g.x1 + g.x2) / (2 * W);
  out[o + 1] = (g.y1 + g.y2) / (2 * H);
  out[o + 2] = log1p(dx / u) / 2;
  out[o + 3] = log1p(dy / u) / 2;
  out[o + 4] = W / 1000;
  out[o + 5] = H / 1000;
  out[o + 6] = u / 10;
  if (g.type === TYPE_LINE) {
    const len = Math.hypot(dx, dy);
    const deg = len > 0 ? (Math.atan2(Math.min(dx, dy), Math.max(dx, dy)) * 180) / Math.PI : 0;
    out[o + 7] = log1p(len / u) / 2;
    out[o + 8] = deg / 15; // angle to the nearest image axis (the scorer's thresholds: 3°, 8°, 20°)
    out[o + 9] = dx >= dy ? 1 : -1;
    out[o + 10] = Math.min(Math.abs(g.x2 - g.x1) / W, 1);
    out[o + 11] = Math.min(Math.abs(g.y2 - g.y1) / H, 1);
  } else if (g.type === TYPE_CIRCLE) {
    out[o + 12] = log1p(g.r / u);
    out[o + 13] = g.r / 20;
  } else if (g.type === TYPE_BOX || g.type === TYPE_CROP) {
    out[o + 14] = Math.log((dx + 1) / (dy + 1)) / 2;
    out[o + 15] = (dx * dy) / (W * H);
  } else if (g.type === TYPE_POINT || g.type === TYPE_TEXT) {
    // Distance to the nearest image edge, in u (tick labels sit near the plot's edges).
    out[o + 12] = Math.min(g.x1, W - g.x1, g.y1, H - g.y1) / (10 * u);
  }
  out[o + 16] = Math.min(dx / W, 1);
  out[o + 17] = Math.min(dy / H, 1);
  if (g.type === TYPE_NONE) out[o + 2] = out[o + 3] = out[o + 16] = out[o + 17] = 0;
}

/**
 * Training-time augmentation: moves each window's centre by up to ±10% of its half extents and
 * scales each extent by 0.9–1.1 (uniform draws from `random`). The label does not depend on where
 * the windows sit, only on the action, so a jittered encoding is another valid sample of the same
 * step. prepareBatch never jitters.
 */
export function jitterWindow(w: Window, random: () => number): Window {
  const r = (): number => 2 * random() - 1;
  return { cx: w.cx + 0.1 * r() * w.hx, cy: w.cy + 0.1 * r() * w.hy, hx: w.hx * (1 + 0.1 * r()), hy: w.hy * (1 + 0.1 * r()) };
}

/** Fills the inputs of step `i` of a batch (arrays sized for the batch); `jitter` is for training only. */
export function encodeStep(step: PrmStepInput, i: number, inputs: Record<InputName, Float32Array>, jitter?: () => number): void {
  const { pixels, g } = encodeWindows(step, i, inputs, jitter);
  const meta = inputs.meta;
  geometryFeatures(g, meta, i * META_FEATURES);
  intentFeatures(step.intent, g.type, meta, i * META_FEATURES + ACTION_TYPES.length + GEOMETRY_FEATURES);
  textFeatures(step.intent, g, pixels, meta, i * META_FEATURES + ACTION_TYPES.length + GEOMETRY_FEATURES + INTENT_FEATURES);
}

/**
 * A jittered training copy at `i` of the step already encoded at `from`: its windows moved, its meta
 * copied (no window enters it), so the text search is not done twice.
 */
export function encodeJitteredCopy(step: PrmStepInput, from: number, i: number, inputs: Record<InputName, Float32Array>, jitter: () => number): void {
  encodeWindows(step, i, inputs, jitter);
  inputs.meta.copyWithin(i * META_FEATURES, from * META_FEATURES, (from + 1) * META_FEATURES);
}

/** The patch inputs (local, context, ends) of step `i`; returns the step's pixels and geometry. */
function encodeWindows(step: PrmStepInput, i: number, inputs: Record<InputName, Float32Array>, jitter?: () => number): { pixels: StepPixels; g: StepGeometry } {
  const { local, context, ends } = inputs;
  const pixels = stepPixels(step.before, step.after ?? null);
  const g = stepGeometry(step.action, pixels.width, pixels.height);
  const j = (w: Window): Window => (jitter ? jitterWindow(w, jitter) : w);
  const lw = localWindow(g);
  samplePatch(pixels, j(lw), LOCAL_SIZE, local, i * LOCAL_LEN);
  samplePatch(pixels, j(contextWindow(g, lw)), CONTEXT_SIZE, context, i * CONTEXT_LEN);
  const [a, b] = endWindows(g);
  samplePatch(pixels, j(a), ENDS_SIZE, ends, 2 * i * END_LEN);
  samplePatch(pixels, j(b), ENDS_SIZE, ends, (2 * i + 1) * END_LEN);
  return { pixels, g };
}

/** Reads what the encoding needs from disk (the glyph bitmaps) now, so a broken install fails when a model loads, not on a request. */
export function preloadEncoding(): void {
  glyphAtlas();
}

/**
 * The model's input tensors for a batch of steps: { local, context, ends, meta }, each { data, dims }
 * with dims[0] = steps.length. Deterministic; never throws on a valid step (see geometry.ts for
 * how odd actions are encoded). Throws only when a step has no before image (a programming error).
 */
export function prepareBatch(steps: readonly PrmStepInput[]): Record<InputName, TensorData> {
  const n = steps.length;
  const inputs = {
    local: new Float32Array(n * LOCAL_LEN),
    context: new Float32Array(n * CONTEXT_LEN),
    ends: new Float32Array(n * 2 * END_LEN),
    meta: new Float32Array(n * META_FEATURES),
  };
  for (let i = 0; i < n; i++) {
    const s = steps[i];
    if (!s?.before) throw new TypeError(`prepareBatch: step ${i} has no before image`);
    encodeStep(s, i, inputs);
  }
  return {
    local: { data: inputs.local, dims: [n, PATCH_CHANNELS, LOCAL_SIZE, LOCAL_SIZE] },
    context: { data: inputs.context, dims: [n, PATCH_CHANNELS, CONTEXT_SIZE, CONTEXT_SIZE] },
    ends: { data: inputs.ends, dims: [n, 2 * PATCH_CHANNELS, ENDS_SIZE, ENDS_SIZE] },
    meta: { data: inputs.meta, dims: [n, META_FEATURES] },
  };
}
