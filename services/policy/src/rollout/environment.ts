// The world the policy acts in: the renderer service. The prompt image goes to the renderer once
// (then by digest); each turn's text is parsed here (@sketchvl/steps, the parser the renderer's
// ParseSteps runs: a pure function needs no round trip) and its actions drawn by the renderer on
// the image the turn looked at; the drawn image comes back as a patch over that image, which this service also
// holds, so only the marks' pixels travel. A renderer that lost an image (evicted, another
// replica) gets it again once, as pixels. What the policy sees of an image (its model-input tensor
// or a PNG data URL) is made once per digest and group.
import { type DrawingAction, type Image, ImageFormat, type ParsedResponse, type RendererServiceDefinition, StepFormat } from "@sketchvl/contract";
import { parseSteps } from "@sketchvl/steps";
import { encodePng, type ImageLimits, type ImageStore, pinnedImages, type RasterImage, rawDigest, resolveImage, toRawImage } from "@sketchvl/drawing";
import { modelInput } from "@sketchvl/policy-model";
import { InvalidArgumentError, NotFoundError } from "@sketchvl/errors";
import type { Client } from "nice-grpc";
import type { ImageNeeds, TurnImage } from "../backends/types";

export type RendererClient = Client<typeof RendererServiceDefinition>;

/** An image a rollout is at: the renderer's digest for it and its pixels. */
export interface HeldImage {
  digest: string;
  raster: RasterImage;
}

/** The renderer would not draw the actions (the policy wrote something it refuses). */
export class ActionsRefused extends Error {
  override name = "ActionsRefused";
}

export class Environment {
  constructor(
    private readonly renderer: RendererClient,
    private readonly store: ImageStore,
    private readonly limits: ImageLimits,
  ) {}

  /** The prompt image, held here and by the renderer under the same digest. */
  async openPrompt(image: Image | undefined, signal: AbortSignal): Promise<HeldImage> {
    if (image?.source?.$case === "digest") {
      const digest = image.source.value;
      let raster: RasterImage;
      try {
        raster = this.store.get(digest, "image.digest");
      } catch {
        // Only the renderer has it: its pixels, once (NOT_FOUND there names image.digest).
        const { image: ref } = await this.renderer.render({ image, actions: [], outputFormat: ImageFormat.IMAGE_FORMAT_RAW }, { signal });
        raster = (await resolveImage(ref?.image, "image", pinnedImages(this.store), this.limits)).image;
      }
      this.store.put(digest, raster);
      return { digest, raster };
    }
    const local = await resolveImage(image, "image", this.store, this.limits);
    const { image: ref } = await this.renderer.putImage({ image }, { signal });
    this.store.put(ref!.digest, local.image);
    return { digest: ref!.digest, raster: local.image };
  }

  /** A turn's steps, its format detected (never throws: malformed output becomes FormatErrors). */
  parse(text: string): ParsedResponse {
    return parseSteps(text, StepFormat.STEP_FORMAT_UNSPECIFIED);
  }

  /**
   * `actions` drawn on `base` by the renderer. The renderer's client is typed (main.ts names it as a
   * dependency): a refusal of the actions is its InvalidArgumentError, a missing base its
   * NotFoundError with reason IMAGE_NOT_FOUND.
   */
  async draw(base: HeldImage, actions: DrawingAction[], signal: AbortSignal): Promise<HeldImage> {
    const lookup = pinnedImages(this.store);
    lookup.put(base.digest, base.raster);
    const rendered = (image: Image) =>
      this.renderer.render({ image, actions, outputFormat: ImageFormat.IMAGE_FORMAT_PATCH }, { signal }).catch((err: unknown) => {
        if (err instanceof InvalidArgumentError) throw new ActionsRefused(err.message);
        throw err;
      });
    const { image: ref } = await rendered({ source: { $case: "digest", value: base.digest } }).catch((err: unknown) => {
      if (!(err instanceof NotFoundError && err.reason === "IMAGE_NOT_FOUND")) throw err;
      // The renderer no longer has it: send the pixels (their digest is the raw one).
      lookup.put(rawDigest(base.raster), base.raster);
      return rendered({ source: { $case: "raw", value: toRawImage(base.raster) } });
    });
    const resolved = await resolveImage(ref!.image, "image", lookup, this.limits);
    this.store.put(ref!.digest, resolved.image);
    return { digest: ref!.digest, raster: resolved.image };
  }

  /**
   * For one group: the same calls, each made once per distinct input — rollouts of a group often
   * write the same turn (the renderer's drawing is deterministic: same image and actions, same
   * result) — and what the policy sees of each image (made once per digest).
   */
  forGroup(needs: ImageNeeds): GroupEnvironment {
    const once = <T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> => {
      let value = cache.get(key);
      if (!value) {
        value = make();
        cache.set(key, value);
        value.catch(() => cache.delete(key));
      }
      return value;
    };
    const views = new Map<string, Promise<TurnImage>>();
    const parses = new Map<string, ParsedResponse>();
    const draws = new Map<string, Promise<HeldImage>>();
    return {
      view: (image) => once(views, image.digest, () => makeView(image, needs)),
      parse: (text) => {
        let parsed = parses.get(text);
        if (!parsed) {
          parsed = this.parse(text);
          parses.set(text, parsed);
        }
        return parsed;
      },
      draw: (base, actions, signal) => once(draws, `${base.digest}\n${JSON.stringify(actions)}`, () => this.draw(base, actions, signal)),
    };
  }
}

/** An Environment for one group (see Environment.forGroup). */
export interface GroupEnvironment {
  view(image: HeldImage): Promise<TurnImage>;
  parse(text: string): ParsedResponse;
  draw(base: HeldImage, actions: DrawingAction[], signal: AbortSignal): Promise<HeldImage>;
}

async function makeView({ digest, raster }: HeldImage, needs: ImageNeeds): Promise<TurnImage> {
  const view: TurnImage = { digest };
  if (needs.tensorSize) {
    view.tensor = await modelInput({ raw: raster.pixels, width: raster.width, height: raster.height, channels: raster.channels }, needs.tensorSize);
  }
  if (needs.dataUrl) view.dataUrl = `data:image/png;base64,${(await encodePng(raster)).toString("base64")}`;
  return view;
}
