// Images inside the renderer: decoded 8-bit RGB(A) pixels, plus decode / encode / digest.
//
// Everything is normalized to 3-channel RGB on entry (alpha flattened onto white), so one picture
// has one pixel buffer whether it arrived as PNG, JPEG, WebP or raw RGBA (its digest is over what
// was sent: see imageRefs.ts). White
// matches what the policy sees: qwen_vl_utils pastes RGBA images onto a white background.
// EXIF orientation is NOT applied, like PIL's Image.open: coordinates refer to the stored pixels.
import { createHash } from "node:crypto";
import sharp from "sharp";
import type { RawImage } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";

/** Interleaved 8-bit pixels, row-major. Treated as immutable: drawing returns a new image. */
export interface RasterImage {
  width: number;
  height: number;
  channels: 3 | 4;
  pixels: Buffer;
}

export interface ImageLimits {
  /** width × height above which an image is refused (checked from the header, before decoding). */
  maxPixels: number;
  /** Encoded size above which an image is refused. Not applied to raw pixels (bounded by maxPixels). */
  maxBytes: number;
}

const WHITE = { r: 255, g: 255, b: 255 };

/** The formats the contract promises (image.proto). Sniffed from magic bytes so that SVG, TIFF,
 *  HEIF etc. never reach a decoder: SVG in particular is a document, not pixels. */
function sniffFormat(b: Buffer): "png" | "jpeg" | "webp" | undefined {
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) return "png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (b.length >= 12 && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP") return "webp";
  return undefined;
}

function checkPixels(width: number, height: number, maxPixels: number, field: string): void {
  if (width * height > maxPixels) {
    throw new InvalidArgumentError(field, `image is ${width}x${height} = ${width * height} pixels; the limit is ${maxPixels}`, "LIMIT_EXCEEDED");
  }
}

/**
 * The size of PNG / JPEG / WebP bytes from their header alone (no pixel is decoded), checked
 * against the limits: what a call will cost is known before it decodes. Errors name the field "image".
 */
export async function readImageHeader(bytes: Buffer, limits: ImageLimits): Promise<{ width: number; height: number }> {
  if (bytes.length === 0) throw new InvalidArgumentError("image", "image bytes are empty");
  if (bytes.length > limits.maxBytes) {
    throw new InvalidArgumentError("image", `image is ${bytes.length} bytes; the limit is ${limits.maxBytes}`, "LIMIT_EXCEEDED");
  }
  if (!sniffFormat(bytes)) throw new InvalidArgumentError("image", "not a PNG, JPEG or WebP image");
  let meta: sharp.Metadata;
  try {
    // No pixel limit here so the check below can say how big.
    meta = await sharp(bytes, { limitInputPixels: false, failOn: "error" }).metadata();
  } catch (err) {
    throw new InvalidArgumentError("image", `unreadable image: ${(err as Error).message}`);
  }
  if (!meta.width || !meta.height) throw new InvalidArgumentError("image", "image has no size");
  checkPixels(meta.width, meta.height, limits.maxPixels, "image");
  return { width: meta.width, height: meta.height };
}

/** Decodes PNG / JPEG / WebP bytes to RGB. Errors name the field "image". */
export async function decodeImage(bytes: Buffer, limits: ImageLimits): Promise<RasterImage> {
  await readImageHeader(bytes, limits);
  // limitInputPixels makes libvips itself refuse a bomb, as a second line behind the header check.
  const options = { limitInputPixels: limits.maxPixels, failOn: "error" as const };
  try {
    const { data, info } = await sharp(bytes, options)
      .flatten({ background: WHITE })
      .toColourspace("srgb")
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { width: info.width, height: info.height, channels: 3, pixels: data };
  } catch (err) {
    throw new InvalidArgumentError("image", `cannot decode image: ${(err as Error).message}`);
  }
}

/** Checks decoded pixels from the wire against their declared size and the limits (no copy). */
export function checkRawImage(raw: RawImage, limits: Pick<ImageLimits, "maxPixels">): void {
  const { width, height, channels, pixels } = raw;
  if (!Number.isInteger(width) || width <= 0) throw new InvalidArgumentError("raw.width", `width must be positive, got ${width}`);
  if (!Number.isInteger(height) || height <= 0) throw new InvalidArgumentError("raw.height", `height must be positive, got ${height}`);
  if (channels !== 3 && channels !== 4) throw new InvalidArgumentError("raw.channels", `channels must be 3 or 4, got ${channels}`);
  checkPixels(width, height, limits.maxPixels, "raw");
  const expected = width * height * channels;
  if (!pixels || pixels.length !== expected) {
    throw new InvalidArgumentError("raw.pixels", `${width}x${height}x${channels} needs ${expected} bytes, got ${pixels ? pixels.length : 0}`);
  }
}

/** Validates decoded pixels from the wire; RGBA is flattened onto white (see the file comment). */
export function rasterFromRaw(raw: RawImage, limits: Pick<ImageLimits, "maxPixels">): RasterImage {
  checkRawImage(raw, limits);
  const { width, height, channels, pixels } = raw;
  // A view, not a copy: the message's bytes are ours to keep.
  const view = pixels as Uint8Array;
  const buf = Buffer.isBuffer(view) ? view : Buffer.from(view.buffer, view.byteOffset, view.length);
  return channels === 3 ? { width, height, channels: 3, pixels: buf } : flattenOnWhite(width, height, buf);
}

function flattenOnWhite(width: number, height: number, rgba: Buffer): RasterImage {
  const out = Buffer.allocUnsafe(width * height * 3);
  for (let i = 0, o = 0; i < rgba.length; i += 4, o += 3) {
    const a = rgba[i + 3];
    const w = 255 * (255 - a) + 127; // +127: round to nearest, same rule as raster.ts (blendInto)
    out[o] = ((rgba[i] * a + w) / 255) | 0;
    out[o + 1] = ((rgba[i + 1] * a + w) / 255) | 0;
    out[o + 2] = ((rgba[i + 2] * a + w) / 255) | 0;
  }
  return { width, height, channels: 3, pixels: out };
}

/** Where new pixel buffers come from: Buffer.allocUnsafe, or sharedBuffer for pixels other threads read. */
export type Allocate = (bytes: number) => Buffer;

/** A new buffer in shared memory (zeroed). */
export const sharedBuffer: Allocate = (bytes) => Buffer.from(new SharedArrayBuffer(bytes));

/**
 * A copy of a pixel buffer, in shared memory so drawing threads and the PRM's model instances read
 * it without another copy. Not Buffer.from(buffer), which copies through the TypedArray
 * constructor in Node 20: 0.44–0.69 ms against 0.33–0.47 ms for a memcpy on a 1000×700 image,
 * measured alone. Inside busy services both cost ~2 ms, mostly faulting in fresh pages, which is
 * why drawn images are kept as patches (PatchedImage) rather than copied.
 */
export function copyPixels(src: Uint8Array): Buffer {
  const out = sharedBuffer(src.length);
  out.set(src);
  return out;
}

/** The image as the contract's RawImage (no copy). */
export function toRawImage(img: RasterImage): RawImage {
  return { width: img.width, height: img.height, channels: img.channels, pixels: img.pixels };
}

// PNG options, measured on a 1000×700 bar chart (sharp 0.35 / libvips 8.18 / zlib-ng, 2 cores):
//   level 1, no filter:   7.0 ms, 35 KB   (zlib-ng's level 1 is a much weaker "quick" strategy)
//   level 2, no filter:   4.0 ms, 18 KB   ← chosen
//   level 3, no filter:   3.8–4.1 ms, 16.5 KB (no faster than 2 in repeated runs)
//   level 4 / 6, no filter: 6.8–6.9 ms, 26 / 16 KB
//   adaptive filtering (level 2 or 6): 27 ms, 12 KB
// Adaptive filtering costs ~7× the time for a third less size; these PNGs live seconds inside the
// mesh, so speed wins. For comparison, PIL's save(PNG) of the same image takes ~31 ms at its
// default level 6 (~19 ms at level 1). Sharp writes no metadata or timestamps by default, so
// equal pixels give equal bytes (and equal digests).
const PNG_OPTIONS: sharp.PngOptions = { compressionLevel: 2, adaptiveFiltering: false, palette: false };

/** Encodes to PNG; deterministic (same pixels → same bytes). */
export async function encodePng(img: RasterImage): Promise<Buffer> {
  return sharp(img.pixels, { raw: { width: img.width, height: img.height, channels: img.channels } })
    .png(PNG_OPTIONS)
    .toBuffer();
}

/** "sha256:<hex>" of some bytes (the contract's digest form; computed over the PNG encoding). */
export function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}
