// Between the contract's Image (inline bytes, raw pixels or a digest) and the renderer's decoded
// RasterImage, through the ImageStore.
//
// Digests (image.proto, ImageRef.digest), all computable by a client without the renderer:
// - an image received encoded: sha256 of the bytes as sent;
// - an image received as raw pixels: sha256 of "raw:<W>x<H>x<C>\n" + the pixels AS RECEIVED, so an
//   RGBA image's digest covers its 4-channel bytes, not the RGB pixels it is flattened to;
// - an image made here (RenderResponse / RenderTrajectoryResponse): the PNG's bytes when returned
//   as PNG, else "raw:…" over its own (RGB) pixels, which needs no encode;
// - a patch (sent, or returned with IMAGE_FORMAT_PATCH): over the base digest and the regions
//   (patches.ts).
import { createHash } from "node:crypto";
import { type Image, ImageFormat, type ImageRef } from "@sketchvl/contract";
import { InvalidArgumentError, withFieldPrefix } from "@sketchvl/errors";
import { checkRawImage, decodeImage, digestOf, encodePng, type ImageLimits, type RasterImage, rasterFromRaw, readImageHeader, toRawImage } from "./images";
import type { ImageLookup, ImageStore } from "./imageStore";
import { applyPatch, makePatch, MAX_PATCH_REGIONS, patchDigest, type Rect } from "./patches";

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** sha256 of "raw:<W>x<H>x<C>\n" + pixels: the contract's digest of raw pixels (a RawImage or a RasterImage). */
export function rawDigest(img: { width: number; height: number; channels: number; pixels: Uint8Array }): string {
  return `sha256:${createHash("sha256").update(`raw:${img.width}x${img.height}x${img.channels}\n`).update(img.pixels).digest("hex")}`;
}

export interface ResolvedImage {
  digest: string;
  image: RasterImage;
}

/** Decodes or looks up `image`, stores it, and returns it with its digest. `field` names it in errors. */
export async function resolveImage(image: Image | undefined, field: string, store: ImageLookup, limits: ImageLimits): Promise<ResolvedImage> {
  const source = image?.source;
  if (!source) throw new InvalidArgumentError(field, "an image is required: set encoded, raw, patch or digest");
  switch (source.$case) {
    case "digest":
      return { digest: source.value, image: storedImage(source.value, `${field}.digest`, store) };
    case "patch": {
      const base = storedImage(source.value.base, `${field}.patch.base`, store);
      const patched = applyPatch(base, source.value, field); // validates the regions before they are hashed
      const digest = patchDigest(source.value);
      return { digest, image: store.put(digest, patched) };
    }
    case "encoded": {
      const digest = digestOf(source.value);
      let decoded: RasterImage;
      try {
        decoded = await decodeImage(source.value, limits);
      } catch (err) {
        // The domain names the whole image ("image"); here it is the request's `<field>.encoded`.
        if (err instanceof InvalidArgumentError) throw new InvalidArgumentError(`${field}.encoded`, err.description, err.reason);
        throw err;
      }
      return { digest, image: store.put(digest, decoded) };
    }
    case "raw": {
      const decoded = withFieldPrefix(field, () => rasterFromRaw(source.value, limits)); // "raw.width" → "<field>.raw.width"
      // Over the pixels as sent (validated above), not `decoded`: RGBA is flattened to RGB.
      const digest = rawDigest(source.value);
      return { digest, image: store.put(digest, decoded) };
    }
  }
}

/**
 * What resolving `image` will cost before it is done: its size (from the header of encoded bytes,
 * the message for raw pixels, the store for a digest or a patch's base) and the bytes decoding
 * will hold (decoded pixels and their copy into shared memory; none for a stored image). Errors
 * are resolveImage's, for the same fields.
 */
export async function imageCost(
  image: Image | undefined,
  field: string,
  store: ImageLookup,
  limits: ImageLimits,
): Promise<{ width: number; height: number; bytes: number }> {
  const source = image?.source;
  if (!source) throw new InvalidArgumentError(field, "an image is required: set encoded, raw, patch or digest");
  const decoded = ({ width, height }: { width: number; height: number }, channels = 3) => ({ width, height, bytes: 2 * width * height * channels });
  switch (source.$case) {
    case "digest":
      return { ...sizeOf(storedImage(source.value, `${field}.digest`, store)), bytes: 0 };
    case "patch":
      return { ...sizeOf(storedImage(source.value.base, `${field}.patch.base`, store)), bytes: 0 };
    case "encoded":
      try {
        return decoded(await readImageHeader(source.value, limits));
      } catch (err) {
        if (err instanceof InvalidArgumentError) throw new InvalidArgumentError(`${field}.encoded`, err.description, err.reason);
        throw err;
      }
    case "raw":
      withFieldPrefix(field, () => checkRawImage(source.value, limits));
      return decoded(source.value, source.value.channels);
  }
}

const sizeOf = ({ width, height }: RasterImage) => ({ width, height });

function storedImage(digest: string, field: string, store: ImageLookup): RasterImage {
  if (!DIGEST.test(digest)) throw new InvalidArgumentError(field, `"${digest}" is not of the form sha256:<64 lowercase hex>`);
  return store.get(digest, field);
}

/** What an image was drawn on: the base's digest and the rectangles that may differ from it (none when the size changed). */
export interface DrawnOn {
  digest: string;
  changed: readonly Rect[] | undefined;
}

/**
 * The ImageRef a caller gets back for an image the renderer made, in the format asked for; stored
 * for later reference. IMAGE_FORMAT_PATCH needs `drawnOn`; without a usable base (or with more
 * marks than a patch may carry) it falls back to RAW, and with nothing changed it answers with the
 * base's digest.
 */
export async function outputImage(img: RasterImage, format: ImageFormat, store: ImageStore, drawnOn?: DrawnOn): Promise<ImageRef> {
  const size = { width: img.width, height: img.height };
  if (format === ImageFormat.IMAGE_FORMAT_PATCH && drawnOn?.changed && drawnOn.changed.length <= MAX_PATCH_REGIONS) {
    if (drawnOn.changed.length === 0) return { digest: drawnOn.digest, ...size, image: { source: { $case: "digest", value: drawnOn.digest } } };
    const patch = makePatch(drawnOn.digest, img, drawnOn.changed);
    const digest = patchDigest(patch);
    store.put(digest, img);
    return { digest, ...size, image: { source: { $case: "patch", value: patch } } };
  }
  if (format === ImageFormat.IMAGE_FORMAT_RAW || format === ImageFormat.IMAGE_FORMAT_DIGEST_ONLY || format === ImageFormat.IMAGE_FORMAT_PATCH) {
    const digest = rawDigest(img);
    store.put(digest, img);
    const image: Image | undefined = format === ImageFormat.IMAGE_FORMAT_DIGEST_ONLY ? undefined : { source: { $case: "raw", value: toRawImage(img) } };
    return { digest, ...size, image };
  }
  if (format !== ImageFormat.IMAGE_FORMAT_PNG && format !== ImageFormat.IMAGE_FORMAT_UNSPECIFIED) {
    throw new InvalidArgumentError("output_format", `unknown output format ${format}`);
  }
  const png = await encodePng(img);
  const digest = digestOf(png);
  store.put(digest, img);
  return { digest, ...size, image: { source: { $case: "encoded", value: png } } };
}
