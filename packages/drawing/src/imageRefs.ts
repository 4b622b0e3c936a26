// Between the contract's Image (inline bytes, raw pixels or a digest) and the renderer's decoded
// RasterImage, through the ImageStore.
//
// Digests: an encoded image's is sha256 of its bytes (a client can compute it locally); an image
// made or received as raw pixels has sha256 over "raw:WxHxC\n" + pixels, which needs no encode.
import { createHash } from "node:crypto";
import { type Image, ImageFormat, type ImageRef } from "@sketchvl/contract";
import { InvalidArgumentError, withFieldPrefix } from "@sketchvl/runtime/errors";
import { decodeImage, digestOf, encodePng, type ImageLimits, type RasterImage, rasterFromRaw, toRawImage } from "./images";
import type { ImageStore } from "./imageStore";

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function rawDigest(img: RasterImage): string {
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
      const digest = rawDigest(decoded);
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
