// A group's prompt image, resolved once however many groups bring it. OpenRLHF sends one sample
// per request and a prompt's rollouts arrive together: without this, every request decoded the same
// PNG (2 MB of pixels each for a 1000×700 chart) and shipped those pixels to the renderer and the
// PRM again — 600 samples at once held 1.5 GB. Here encoded bytes already in the store (by their
// digest) are not decoded again, a decode in progress is joined rather than repeated, and the
// digest the renderer and the PRM keep the pixels under is computed once per image.
import type { Image } from "@sketchvl/contract";
import { digestOf, type ImageLimits, readImageHeader, type ImageStore, type RasterImage, rawDigest, resolveImage, toRawImage } from "@sketchvl/drawing";
import { InvalidArgumentError, NotFoundError } from "@sketchvl/errors";

export interface PromptImage {
  /** The digest the caller gets back (of the bytes sent, or of raw pixels, or the digest sent). */
  digest: string;
  image: RasterImage;
  /** The digest of its raw pixels: what the renderer and the PRM store it under when sent raw. */
  rawDigest: string;
}

export class PromptImages {
  private readonly decoding = new Map<string, Promise<RasterImage>>();
  private readonly rawDigests = new WeakMap<RasterImage, string>();

  /** `check(width, height, channels)` throws for an image this service cannot pass on; run before decoding when the header tells the size. */
  constructor(
    private readonly store: ImageStore,
    private readonly limits: ImageLimits,
    private readonly check: (width: number, height: number, channels: number) => void,
  ) {}

  async resolve(image: Image | undefined, field: string): Promise<PromptImage> {
    const resolved = await this.resolveOnce(image, field);
    this.check(resolved.image.width, resolved.image.height, resolved.image.channels);
    return resolved;
  }

  private async resolveOnce(image: Image | undefined, field: string): Promise<PromptImage> {
    const source = image?.source;
    if (source?.$case !== "encoded") return this.withRawDigest(await resolveImage(image, field, this.store, this.limits));
    const digest = digestOf(source.value);
    const stored = this.stored(digest, field);
    if (stored) return this.withRawDigest({ digest, image: stored });
    // The size from the header (sharp), before decoding; errors are resolveImage's, for the same field.
    const declared = await readImageHeader(source.value, this.limits).catch((err: unknown) => {
      throw err instanceof InvalidArgumentError ? new InvalidArgumentError(`${field}.encoded`, err.description, err.reason) : err;
    });
    this.check(declared.width, declared.height, 3); // decoded images are RGB
    let pending = this.decoding.get(digest);
    if (!pending) {
      pending = resolveImage(image, field, this.store, this.limits).then((r) => r.image);
      this.decoding.set(digest, pending);
      void pending.finally(() => this.decoding.delete(digest)).catch(() => undefined);
    }
    return this.withRawDigest({ digest, image: await pending });
  }

  private stored(digest: string, field: string): RasterImage | undefined {
    try {
      return this.store.get(digest, field);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  private withRawDigest(resolved: { digest: string; image: RasterImage }): PromptImage {
    let raw = this.rawDigests.get(resolved.image);
    if (raw === undefined) {
      raw = rawDigest(toRawImage(resolved.image));
      this.rawDigests.set(resolved.image, raw);
    }
    return { ...resolved, rawDigest: raw };
  }
}
