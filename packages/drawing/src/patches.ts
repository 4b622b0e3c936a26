// Image patches (image.proto, ImagePatch): an image given as a stored base image with rectangles
// of pixels replaced. An after-image differs from its before-image only where the step's mark was
// drawn, so the renderer sends those rectangles (a few KiB) instead of encoding a PNG that the PRM
// must decode again (~9 ms per 1000×700 step together, measured in bench/reward).
import { createHash } from "node:crypto";
import type { ImagePatch, PatchRegion } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import { type Allocate, copyPixels, type RasterImage } from "./images";
import { cropRegion } from "./raster";

/** A rectangle of an image, in pixels. */
export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The contract's digest of a patched image: over the base digest and the regions as sent. */
export function patchDigest(patch: ImagePatch): string {
  const hash = createHash("sha256").update(`patch:${patch.base}\n`);
  for (const r of patch.regions) {
    const p = r.pixels!;
    hash.update(`${r.left},${r.top}:raw:${p.width}x${p.height}x${p.channels}\n`).update(p.pixels);
  }
  return `sha256:${hash.digest("hex")}`;
}

/** The patch that turns `base` (stored under `baseDigest`) into `image`, given the rectangles that may differ. */
export function makePatch(baseDigest: string, image: RasterImage, changed: readonly Rect[]): ImagePatch {
  const regions: PatchRegion[] = changed.map((r) => ({
    left: r.left,
    top: r.top,
    pixels: { width: r.width, height: r.height, channels: image.channels, pixels: placedPixels(image, r) ?? readRegion(image, r) },
  }));
  return { base: baseDigest, regions };
}

/**
 * The pixels of a region placed on `image` at exactly `r` with nothing placed after it overlapping
 * `r`, else undefined. They are what readRegion would copy out: a step's mark is drawn as one
 * such region, so its patch region needs no copy (the bytes are shared, never written to).
 */
function placedPixels(image: RasterImage, r: Rect): Buffer | undefined {
  if (!(image instanceof PatchedImage)) return undefined;
  for (let i = image.regions.length - 1; i >= 0; i--) {
    const p = image.regions[i];
    if (p.left >= r.left + r.width || r.left >= p.left + p.width || p.top >= r.top + r.height || r.top >= p.top + p.height) continue;
    return p.left === r.left && p.top === r.top && p.width === r.width && p.height === r.height ? p.pixels : undefined;
  }
  return undefined;
}

/** The pixels of rectangle `r` of `image` (inside it), as a new buffer from `alloc`; a PatchedImage is not materialized. */
export function readRegion(image: RasterImage, r: Rect, alloc?: Allocate): Buffer {
  if (!(image instanceof PatchedImage) || image.isMaterialized) return cropRegion(image, r.left, r.top, r.width, r.height, alloc).pixels;
  const out = cropRegion(image.root, r.left, r.top, r.width, r.height, alloc).pixels;
  writeRegions(out, r, image.regions, image.channels);
  return out;
}

/** Writes `regions` in order over `out`, which holds the pixels of rectangle `at` of the same image. */
function writeRegions(out: Buffer, at: Rect, regions: readonly PlacedRegion[], ch: number): void {
  for (const p of regions) {
    const x0 = Math.max(at.left, p.left);
    const x1 = Math.min(at.left + at.width, p.left + p.width);
    const y0 = Math.max(at.top, p.top);
    const y1 = Math.min(at.top + at.height, p.top + p.height);
    if (x0 >= x1 || y0 >= y1) continue;
    for (let y = y0; y < y1; y++) {
      const from = ((y - p.top) * p.width + (x0 - p.left)) * ch;
      p.pixels.copy(out, ((y - at.top) * at.width + (x0 - at.left)) * ch, from, from + (x1 - x0) * ch);
    }
  }
}

/** Pixels placed on an image: `pixels` (the image's channel count) with their top-left at (left, top). */
export interface PlacedRegion extends Rect {
  pixels: Buffer;
}

/** Past this many regions an image is materialized: reading it should stay cheap. */
const MAX_REGIONS = 64;
/** Most regions one patch may carry (the renderer sends one per mark). */
export const MAX_PATCH_REGIONS = 256;

/**
 * An image kept as a root image plus regions written over it in order; its pixels are materialized
 * only when read. A trajectory's after-images all share the prompt image as their root, so each
 * costs only its marks' bytes (not a 2 MB copy per step), and the PRM's encoder samples root and
 * regions directly (prm-model, patches.ts) without ever materializing them.
 */
export class PatchedImage implements RasterImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  private materialized: Buffer | undefined;
  private watchers: Array<() => void> = [];

  constructor(
    /** Never itself a PatchedImage (patchedOn flattens). */
    readonly root: RasterImage,
    readonly regions: readonly PlacedRegion[],
  ) {
    this.width = root.width;
    this.height = root.height;
    this.channels = root.channels;
  }

  get pixels(): Buffer {
    if (!this.materialized) {
      const pixels = copyPixels(this.root.pixels);
      writeRegions(pixels, { left: 0, top: 0, width: this.width, height: this.height }, this.regions, this.channels);
      this.materialized = pixels;
      const watchers = this.watchers;
      this.watchers = [];
      for (const w of watchers) w();
    }
    return this.materialized;
  }

  /** Calls `watcher` once when the pixels are first read (an ImageStore recounts the image's bytes). */
  whenMaterialized(watcher: () => void): void {
    if (this.materialized) watcher();
    else this.watchers.push(watcher);
  }

  private flat: RasterImage | undefined;

  /** This image as a plain one (its pixels materialized), the same object every time. */
  asRoot(): RasterImage {
    this.flat ??= { width: this.width, height: this.height, channels: this.channels, pixels: this.pixels };
    return this.flat;
  }

  /** Whether `pixels` has been read (the image then holds a full copy). */
  get isMaterialized(): boolean {
    return this.materialized !== undefined;
  }
}

const bytesOf = (regions: readonly PlacedRegion[]) => regions.reduce((n, r) => n + r.pixels.length, 0);

/**
 * `base` with `regions` written over it, in order (regions already checked to lie inside). A base
 * with many regions, or regions holding more bytes than its root, becomes a root itself
 * (materialized once, however many images build on it): patches stay cheaper than a copy.
 */
export function patchedOn(base: RasterImage, regions: readonly PlacedRegion[]): RasterImage {
  if (!(base instanceof PatchedImage)) return new PatchedImage(base, regions);
  const fits = base.regions.length + regions.length <= MAX_REGIONS && bytesOf(base.regions) + bytesOf(regions) <= base.root.pixels.length;
  if (fits) return new PatchedImage(base.root, base.regions.concat(regions));
  return new PatchedImage(base.asRoot(), regions);
}

/**
 * The image a patch describes: `base` with each region written over it in order (not copied: see
 * PatchedImage). Errors name `field` ("steps[2].after") and the region ("patch.regions[0].pixels.width").
 */
export function applyPatch(base: RasterImage, patch: ImagePatch, field: string): RasterImage {
  if (patch.regions.length === 0)
    throw new InvalidArgumentError(`${field}.patch.regions`, "a patch needs at least one region (send the base's digest for an unchanged image)");
  if (patch.regions.length > MAX_PATCH_REGIONS) {
    throw new InvalidArgumentError(
      `${field}.patch.regions`,
      `${patch.regions.length} regions; the limit is ${MAX_PATCH_REGIONS} (send the image itself)`,
      "LIMIT_EXCEEDED",
    );
  }
  patch.regions.forEach((r, i) => {
    checkRegion(base, r, `${field}.patch.regions[${i}]`);
  });
  return patchedOn(
    base,
    patch.regions.map(({ left, top, pixels }) => ({ left, top, width: pixels!.width, height: pixels!.height, pixels: pixels!.pixels })),
  );
}

function checkRegion(base: RasterImage, r: PatchRegion, field: string): void {
  const p = r.pixels;
  if (!p) throw new InvalidArgumentError(`${field}.pixels`, "a region needs its pixels");
  const { width, height, channels, pixels } = p;
  if (channels !== base.channels) {
    throw new InvalidArgumentError(`${field}.pixels.channels`, `must be ${base.channels}, the base image's (stored images are RGB); got ${channels}`);
  }
  if (width < 1 || height < 1) throw new InvalidArgumentError(`${field}.pixels`, `region is ${width}x${height}; it must be at least 1x1`);
  if (r.left + width > base.width || r.top + height > base.height) {
    throw new InvalidArgumentError(field, `region ${width}x${height} at (${r.left}, ${r.top}) goes beyond the ${base.width}x${base.height} base image`);
  }
  const expected = width * height * channels;
  if (!pixels || pixels.length !== expected) {
    throw new InvalidArgumentError(`${field}.pixels.pixels`, `${width}x${height}x${channels} needs ${expected} bytes, got ${pixels ? pixels.length : 0}`);
  }
}
