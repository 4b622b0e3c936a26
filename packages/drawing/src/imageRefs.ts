// Between the contract's Image (inline bytes, raw pixels or a digest) and the renderer's decoded
// RasterImage, through the ImageStore.
//
// Digests (image.proto, ImageRef.digest), all computable by a client without the renderer:
// - an image received encoded: sha256 of the bytes as sent;
// - an image received as raw pixels: sha256 of "raw:<W>x<H>x<C>\n" + the pixels AS RECEIVED, so an
//   RGBA image's digest covers its 4-channel bytes, not the RGB pixels it is flattened to;
// - an image made here (RenderResponse / RenderTrajectoryResponse): the PNG's bytes when returned
//   as PNG, else "raw:…" over its own (RGB) pixels, which needs no encode.
import { createHash } from "node:crypto";
import { type Image, ImageFormat, type ImageRef } from "@sketchvl/contract";
import { InvalidArgumentError, withFieldPrefix } from "@sketchvl/runtime/errors";
import { decodeImage, digestOf, encodePng, type ImageLimits, type RasterImage, rasterFromRaw, toRawImage } from "./images";
import type { ImageStore } from "./imageStore";

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** sha256 of "raw:<W>x<H>x<C>\n" + pixels: the contract's digest of raw pixels (a RawImage or a RasterImage). */
export function rawDigest(img: { width: number; height: number; channels: number; pixels: Uint8Array }): string {
  return "sha256:" + createHash("sha256").update(`raw:${img.width}x${img.height}x${img.channels}\n`).update(img.pixels).digest("hex");
}

export interface ResolvedImage {
  digest: string;
  image: RasterImage;
}

/** Decodes or looks up `image`, stores it, and returns it with its digest. `field` names it in errors. */
export async function resolveImage(
  image: Image | undefined,
  field: string,
  store: ImageStore,
  limits: ImageLimits,
): Promise<ResolvedImage> {
  const source = image?.source;
  if (!source) throw new InvalidArgumentError(field, "an image is required: set encoded, raw or digest");
  switch (source.$case) {
    case "digest": {
      if (!DIGEST.test(source.value)) {
        throw new InvalidArgumentError(`${field}.digest`, `"${source.value}" is not of the form sha256:<64 lowercase hex>`);
      }
      return { digest: source.value, image: store.get(source.value, `${field}.digest`) };
    }
    case "encoded": {
      const digest = digestOf(source.value);
      let decoded: RasterImage;
      try {
        decoded = await decodeImage(source.value, limits);
      } catch (err) {
        // The domain names the whole image ("image"); here it is the request's `<field>.encoded`.
        if (err instanceof InvalidArgumentError) throw new InvalidArgumentError(`${field}.encoded`, err.description);
        throw err;
      }
      store.put(digest, decoded);
      return { digest, image: decoded };
    }
    case "raw": {
      const decoded = withFieldPrefix(field, () => rasterFromRaw(source.value, limits)); // "raw.width" → "<field>.raw.width"
      // Over the pixels as sent (validated above), not `decoded`: RGBA is flattened to RGB.
      const digest = rawDigest(source.value);
      store.put(digest, decoded);
      return { digest, image: decoded };
    }
  }
}

/** The ImageRef a caller gets back for an image the renderer made, in the format asked for; stored for later reference. */
export async function outputImage(img: RasterImage, format: ImageFormat, store: ImageStore): Promise<ImageRef> {
  const size = { width: img.width, height: img.height };
  if (format === ImageFormat.IMAGE_FORMAT_RAW || format === ImageFormat.IMAGE_FORMAT_DIGEST_ONLY) {
    const digest = rawDigest(img);
    store.put(digest, img);
    const image: Image | undefined =
      format === ImageFormat.IMAGE_FORMAT_RAW ? { source: { $case: "raw", value: toRawImage(img) } } : undefined;
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
