// Images between threads without copying pixels that are already shared: a root image whose pixels
// live in a SharedArrayBuffer (as the ImageStore keeps them) goes as a view of the same memory;
// regions (a few KiB each) not in shared memory are copied by postMessage.
import type { Edit } from "./draw";
import { copyPixels, type RasterImage } from "./images";
import { PatchedImage, type PlacedRegion } from "./patches";

/** An image as a message: its root's pixels and the regions written over it in order. */
export interface ImageMessage {
  width: number;
  height: number;
  channels: 3 | 4;
  root: Uint8Array;
  regions: PlacedRegion[];
}

export function imageMessage(image: RasterImage): ImageMessage {
  const { width, height, channels } = image;
  if (image instanceof PatchedImage && !image.isMaterialized) return { width, height, channels, root: image.root.pixels, regions: [...image.regions] };
  return { width, height, channels, root: image.pixels, regions: [] };
}

/** A structured clone turns Buffers into plain Uint8Arrays; the drawing code wants Buffers. */
const asBuffer = (u: Uint8Array) => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

export function imageFromMessage(m: ImageMessage): RasterImage {
  const root: RasterImage = { width: m.width, height: m.height, channels: m.channels, pixels: asBuffer(m.root) };
  return m.regions.length === 0 ? root : new PatchedImage(root, m.regions.map(regionFromMessage));
}

const regionFromMessage = (r: PlacedRegion): PlacedRegion => ({ ...r, pixels: asBuffer(r.pixels) });

export function editsFromMessage(edits: readonly Edit[]): Edit[] {
  return edits.map((e) =>
    e.kind === "region" ? { kind: "region", region: regionFromMessage(e.region) } : { kind: "image", image: { ...e.image, pixels: asBuffer(e.image.pixels) } },
  );
}

/**
 * Edits with their pixels in shared memory (copied there on the drawing thread, which keeps using
 * its own): the main thread then holds them without another copy, and nothing is detached from
 * the image the drawing thread draws the next step on.
 */
export function sharedEdits(edits: readonly Edit[]): Edit[] {
  const share = (p: Buffer) => (p.buffer instanceof SharedArrayBuffer ? p : copyPixels(p));
  return edits.map((e) =>
    e.kind === "region"
      ? { kind: "region", region: { ...e.region, pixels: share(e.region.pixels) } }
      : { kind: "image", image: { ...e.image, pixels: share(e.image.pixels) } },
  );
}
