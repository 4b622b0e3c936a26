// Draws actions onto a chart image with the mesh's own drawing code (@sketchvl/drawing), so the
// before / after images of PRM training data and trajectory previews look exactly like what the
// renderer service produces at serving time (same colours, strokes, halos).
import type { DrawingAction } from "@sketchvl/contract";
import { decodeImage, drawActions, encodePng } from "@sketchvl/drawing";
import { parseColor, toHex } from "@sketchvl/steps";

// ChartWorld images are its own, bounded at generation (≤ 1200×900): no need for tight limits here.
const LIMITS = { maxPixels: 100_000_000, maxBytes: 1 << 30 };

/** "#rrggbb" of a mark colour name, as the renderer draws it. */
export function colorOf(name: string): string {
  return toHex(parseColor(name));
}

/** The PNG image with `actions` drawn on it, as PNG (@sketchvl/drawing's drawActions works on decoded images). */
export async function drawActionsOnPng(image: Buffer, actions: readonly DrawingAction[]): Promise<Buffer> {
  return encodePng(await drawActions(await decodeImage(image, LIMITS), actions));
}
