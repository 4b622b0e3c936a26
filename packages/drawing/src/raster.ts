// Pixel-buffer operations around librsvg: rasterize an overlay, blend it in, crop.
//
// Why not sharp's composite(): measured on 1000×700 RGB, composite() of a small SVG costs
// 8–11 ms per mark (libvips runs the whole image through an RGBA pipeline), while rasterizing the
// same SVG alone costs ~1.4 ms and blending its few thousand pixels in JS well under 1 ms.
// librsvg still does all the rasterizing (antialiasing, text shaping); only "source over" is here.
import sharp from "sharp";
import type { Allocate, RasterImage } from "./images";
import type { Overlay } from "./overlay";

export interface RenderedOverlay {
  overlay: Overlay;
  /**
   * Straight (non-premultiplied) RGBA holding the overlay's overlay.width × overlay.height pixels
   * from byte `offset`, rows `stride` bytes apart: a mark rasterized on an atlas is read where it
   * lies, not copied out of it first (that copy allocated as much as the atlas, per call).
   */
  rgba: Buffer;
  offset: number;
  stride: number;
}

/** The overlay's pixels as their own packed buffer (a copy). */
export function overlayPixels(r: RenderedOverlay): Buffer {
  const rowBytes = r.overlay.width * 4;
  const out = Buffer.allocUnsafe(rowBytes * r.overlay.height);
  for (let y = 0; y < r.overlay.height; y++) r.rgba.copy(out, y * rowBytes, r.offset + y * r.stride, r.offset + y * r.stride + rowBytes);
  return out;
}

/** Overlays rasterized already (by rasterizeOverlays), kept as long as the overlay is. */
const rendered = new WeakMap<Overlay, RenderedOverlay>();

// librsvg + libvips cost, measured on 2 cores: ~1.1 ms per document plus ~6 ns per pixel of it.
const DOCUMENT_COST_NS = 1_100_000;
const PIXEL_COST_NS = 6;

interface Atlas {
  width: number;
  height: number;
  at: Map<Overlay, { x: number; y: number }>;
}

/** Tall marks side by side (vertical lines), wide ones stacked (horizontal lines, boxes), from (x0, 0). */
function place(row: readonly Overlay[], column: readonly Overlay[]): Atlas {
  const at = new Map<Overlay, { x: number; y: number }>();
  let x = 0;
  for (const o of row) {
    at.set(o, { x, y: 0 });
    x += o.width;
  }
  let y = 0;
  for (const o of column) {
    at.set(o, { x, y });
    y += o.height;
  }
  const height = Math.max(0, ...row.map((o) => o.height), y);
  return { width: x + Math.max(0, ...column.map((o) => o.width)), height, at };
}

/**
 * An atlas stays well inside librsvg's 32767 px per side, and within twice the pixels drawing
 * rasterizes at a time (draw.ts: RASTER_CHUNK_PIXELS), so its memory is part of a call's estimate.
 */
const MAX_ATLAS_SIDE = 8192;
export const MAX_ATLAS_PIXELS = 4_000_000;
const fits = (a: Atlas) => a.width <= MAX_ATLAS_SIDE && a.height <= MAX_ATLAS_SIDE && a.width * a.height <= MAX_ATLAS_PIXELS;

/**
 * One atlas, or a tall and a wide one when that leaves less empty area than it costs to render
 * twice; each overlay on its own when neither fits.
 */
function atlases(overlays: readonly Overlay[]): Atlas[] {
  const tall = overlays.filter((o) => o.height > o.width);
  const wide = overlays.filter((o) => o.height <= o.width);
  const cost = (list: Atlas[]) => list.reduce((ns, a) => ns + DOCUMENT_COST_NS + PIXEL_COST_NS * a.width * a.height, 0);
  const candidates = [[place(tall, wide)], [place(tall, []), place([], wide)].filter((a) => a.at.size > 0)].filter((list) => list.every(fits));
  if (candidates.length === 0) return overlays.map((o) => place([o], []));
  return candidates.reduce((best, list) => (cost(list) < cost(best) ? list : best));
}

/** An overlay's own viewport: its box of the image, clipped as the overlay alone would be. */
const viewport = (o: Overlay, x: number, y: number) =>
  `<svg x="${x}" y="${y}" width="${o.width}" height="${o.height}" viewBox="${o.left} ${o.top} ${o.width} ${o.height}">${o.body}</svg>`;

/** SVG documents rasterized by this thread so far: what batching saves is counted here, not estimated. */
let documents = 0;
export const rasterizedDocuments = () => documents;

/** Rasterizes viewports on a width×height document: straight RGBA, checked for size. */
async function rasterize(width: number, height: number, viewports: string): Promise<Buffer> {
  documents++;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${viewports}</svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 4) {
    throw new Error(`overlays rasterized to ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x4`);
  }
  return data;
}

async function renderAtlas(atlas: Atlas): Promise<RenderedOverlay[]> {
  const { width, at } = atlas;
  const data = await rasterize(width, atlas.height, [...at].map(([o, p]) => viewport(o, p.x, p.y)).join(""));
  return [...at].map(([o, p]) => ({ overlay: o, rgba: data, offset: (p.y * width + p.x) * 4, stride: width * 4 }));
}

/** The atlases for overlays not rasterized yet (one overlay alone on a document of its size). */
const atlasesFor = (todo: readonly Overlay[]) => (todo.length === 1 ? [place([todo[0]], [])] : atlases(todo));

/**
 * Rasterizes overlays with as few librsvg calls as pays: each overlay is a nested viewport (clipped
 * as on its own) on an atlas at integer offsets, so it gets exactly the pixels it gets alone
 * (tested). A trajectory's marks together cost about what one costs alone. Overlays rasterized
 * before are reused.
 */
export async function rasterizeOverlays(overlays: readonly Overlay[]): Promise<RenderedOverlay[]> {
  const todo = [...new Set(overlays.filter((o) => !rendered.has(o)))];
  for (const r of (await Promise.all(atlasesFor(todo).map(renderAtlas))).flat()) rendered.set(r.overlay, r);
  return overlays.map((o) => rendered.get(o)!);
}

/**
 * Rasterizes several calls' overlays with the librsvg calls rasterizeOverlays makes for all of
 * them at once (each overlay still gets exactly its pixels alone), then copies each group's pixels
 * out of the atlas into a buffer of its own: a call then holds only its own marks (what its
 * drawingBytes counts), not an atlas another call's marks keep alive after it ended. The atlas
 * lives only for the copy. Later rasterizeOverlays calls reuse the results.
 */
export async function rasterizeGroups(groups: readonly (readonly Overlay[])[]): Promise<void> {
  if (groups.length === 1) return void (await rasterizeOverlays(groups[0])); // its atlas is its own: nothing to copy
  const todo = [...new Set(groups.flat().filter((o) => !rendered.has(o)))];
  const onAtlas = new Map((await Promise.all(atlasesFor(todo).map(renderAtlas))).flat().map((r) => [r.overlay, r]));
  for (const group of groups) {
    const own = [...new Set(group)].flatMap((o) => onAtlas.get(o) ?? []);
    const pixels = Buffer.allocUnsafe(own.reduce((n, r) => n + 4 * r.overlay.width * r.overlay.height, 0));
    let offset = 0;
    for (const r of own) {
      const stride = 4 * r.overlay.width;
      for (let y = 0; y < r.overlay.height; y++) r.rgba.copy(pixels, offset + y * stride, r.offset + y * r.stride, r.offset + y * r.stride + stride);
      rendered.set(r.overlay, { overlay: r.overlay, rgba: pixels, offset, stride });
      offset += stride * r.overlay.height;
    }
  }
}

/** Forgets an overlay's rasterized pixels once they are blended (they would be kept as long as the overlay). */
export function releaseOverlay(overlay: Overlay): void {
  rendered.delete(overlay);
}

/** One overlay alone, on a document of its own size. */
export async function rasterizeOverlay(overlay: Overlay): Promise<RenderedOverlay> {
  return { overlay, rgba: await rasterize(overlay.width, overlay.height, viewport(overlay, 0, 0)), offset: 0, stride: overlay.width * 4 };
}

/**
 * "Source over" of a rendered overlay onto `pixels` (modified in place; a copy the caller owns).
 * Integer arithmetic with round-to-nearest, so results are identical on every machine.
 */
export function blendInto(pixels: Buffer, img: { width: number; channels: 3 | 4 }, r: RenderedOverlay): void {
  const { left, top, width, height } = r.overlay;
  const ch = img.channels;
  const { rgba: src, offset, stride } = r;
  for (let y = 0; y < height; y++) {
    let s = offset + y * stride;
    let d = ((top + y) * img.width + left) * ch;
    for (let x = 0; x < width; x++, s += 4, d += ch) {
      const a = src[s + 3];
      if (a === 0) continue;
      if (a === 255) {
        pixels[d] = src[s];
        pixels[d + 1] = src[s + 1];
        pixels[d + 2] = src[s + 2];
        if (ch === 4) pixels[d + 3] = 255;
        continue;
      }
      const ia = 255 - a;
      pixels[d] = ((src[s] * a + pixels[d] * ia + 127) / 255) | 0;
      pixels[d + 1] = ((src[s + 1] * a + pixels[d + 1] * ia + 127) / 255) | 0;
      pixels[d + 2] = ((src[s + 2] * a + pixels[d + 2] * ia + 127) / 255) | 0;
      if (ch === 4) pixels[d + 3] = ((255 * a + pixels[d + 3] * ia + 127) / 255) | 0;
    }
  }
}

/** The region [left, left+width) × [top, top+height) as a new image (bounds already checked), in a buffer from `alloc`. */
export function cropRegion(img: RasterImage, left: number, top: number, width: number, height: number, alloc: Allocate = Buffer.allocUnsafe): RasterImage {
  const ch = img.channels;
  const out = alloc(width * height * ch);
  const rowBytes = width * ch;
  for (let y = 0; y < height; y++) {
    const s = ((top + y) * img.width + left) * ch;
    img.pixels.copy(out, y * rowBytes, s, s + rowBytes);
  }
  return { width, height, channels: ch, pixels: out };
}
