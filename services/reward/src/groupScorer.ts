// A group of rollouts from request to answer. Each response starts through the mesh the moment it
// arrives (all at once for ScoreGroup, one by one for StreamGroup); the group is assembled when
// the last one is done.
import {
  FailureKind,
  type GroupRewards,
  type Image,
  ImageFormat,
  type ResponseToScore,
  RewardTask,
  type ScoreGroupRequest,
  StepFormat,
} from "@sketchvl/contract";
import { type ImageLimits, type ImageStore, toRawImage } from "@sketchvl/drawing";
import { InvalidArgumentError, MeshError, NotFoundError } from "@sketchvl/errors";
import { assembleGroup, type AssembleOptions } from "./assemble";
import { ChartCodeSession } from "./chartCode/chartCodeSession";
import type { MeshClients } from "./meshClients";
import { PromptImages } from "./promptImages";
import { type ImageSize, validateOutcome } from "./rewardMap";
import { type GroupImage, type ResponseWork, scoreResponse } from "./responsePipeline";
import { RenderBatches } from "./renderBatches";
import { StepBatches } from "./stepBatches";
import { validateTokenOffsets } from "./tokens";

export interface ScorerOptions {
  limits: ImageLimits;
  sampleTimeoutMs: number;
  maxResponses: number;
  maxTextChars: number;
  /** The largest gRPC message this service sends (--max-message-bytes): the prompt image travels raw in one. */
  maxMessageBytes: number;
}

/** A group being scored: responses go in as they arrive, the answer comes once all are done. */
export interface ScoringSession {
  add(response: ResponseToScore): void;
  finish(assemble?: AssembleOptions): Promise<GroupRewards>;
}

/** Room in a message for what rides beside an image's pixels. */
const MESSAGE_MARGIN = 64 * 1024;

export class RewardScorer {
  private readonly images: PromptImages;

  constructor(
    private readonly mesh: MeshClients,
    store: ImageStore,
    private readonly options: ScorerOptions,
  ) {
    this.images = new PromptImages(store, options.limits, (width, height, channels) => this.checkFitsMessage(width, height, channels));
  }

  async scoreGroup(request: ScoreGroupRequest, signal: AbortSignal, assemble: AssembleOptions = {}): Promise<GroupRewards> {
    const session = await this.open(request, signal);
    for (const response of request.responses) session.add(response);
    return session.finish(assemble);
  }

  /**
   * Checks the group, puts its image where the renderer and the PRM can find it by digest.
   * Without the renderer no step can be drawn: the group cannot be answered and the
   * renderer's failure is thrown (UNAVAILABLE, retryable). A PRM that fails here costs nothing yet:
   * each response's PRM call sends the image itself (as for an evicted digest), and a response the
   * PRM still cannot score is masked INFRASTRUCTURE / TIMEOUT; FORMAT failures are still graded.
   */
  async open(header: ScoreGroupRequest, signal: AbortSignal): Promise<ScoringSession> {
    if (header.task === RewardTask.REWARD_TASK_CHART_TO_CODE) return this.openChartCode(header, signal);
    if (header.references.length === 0) throw new InvalidArgumentError("references", "give at least one accepted answer");
    validateOutcome(header.outcome);
    const t = performance.now();
    const { digest, image, rawDigest } = await this.images.resolve(header.image, "image");
    const inline: Image = { source: { $case: "raw", value: toRawImage(image) } };
    // By digest first: the renderer and the PRM usually hold the image already (the same prompt's
    // other groups); the pixels travel only when they do not.
    const place = async (put: (request: { image: Image }, options: { signal: AbortSignal }) => Promise<{ image?: { digest: string } }>) => {
      try {
        return await put({ image: { source: { $case: "digest", value: rawDigest } } }, { signal });
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        return put({ image: inline }, { signal });
      }
    };
    const [rendered, stored] = await Promise.allSettled([place((r, o) => this.mesh.renderer.putImage(r, o)), place((r, o) => this.mesh.prm.storeImage(r, o))]);
    if (rendered.status === "rejected") throw rendered.reason;
    // Only a dependency's failure (typed) is survivable; an abort or a bug of ours is not.
    if (stored.status === "rejected" && !(stored.reason instanceof MeshError)) throw stored.reason;
    const prmDigest = stored.status === "fulfilled" ? stored.value.image!.digest : rawDigest;
    const groupImage: GroupImage = { rendererDigest: rendered.value.image!.digest, prmDigest, inline };
    const size = { width: image.width, height: image.height };
    return new GroupSession(this.mesh, header, digest, groupImage, size, this.options, signal, performance.now() - t);
  }

  /**
   * A chart-to-code group: the reference image goes to the PRM only (its judge compares images; the
   * renderer draws from code). A PRM that fails here costs nothing yet: each judgement sends the
   * image itself when the PRM does not hold it.
   */
  private async openChartCode(header: ScoreGroupRequest, signal: AbortSignal): Promise<ChartCodeSession> {
    const t = performance.now();
    const { digest, image, rawDigest } = await this.images.resolve(header.image, "image");
    const inline: Image = { source: { $case: "raw", value: toRawImage(image) } };
    let prmDigest = rawDigest;
    try {
      prmDigest = (await this.mesh.prm.storeImage({ image: inline }, { signal })).image?.digest ?? rawDigest;
    } catch (err) {
      if (!(err instanceof MeshError)) throw err;
    }
    return new ChartCodeSession(this.mesh, header, digest, { prmDigest, inline }, this.options, signal, performance.now() - t);
  }

  /**
   * The prompt image goes to the renderer and the PRM as raw pixels (width × height × 3 bytes) in
   * one message: an image within --max-pixels can still be too big for --max-message-bytes
   * (36 MP is 108 MB). Said up front (from the header when it tells the size, before decoding),
   * naming the limit to raise, instead of failing in the send. An image over --max-pixels is left
   * to the decoder, whose error names that limit.
   */
  private checkFitsMessage(width: number, height: number, channels: number): void {
    if (width * height > this.options.limits.maxPixels) return;
    const bytes = width * height * channels;
    const limit = this.options.maxMessageBytes;
    if (bytes + MESSAGE_MARGIN <= limit) return;
    throw new InvalidArgumentError(
      "image",
      `a ${width}x${height} image is ${bytes} bytes of raw pixels, sent to the renderer and the PRM in one message; ` +
        `the message limit is ${limit} bytes: raise --max-message-bytes on the reward, renderer and PRM services ` +
        `(to at least ${bytes + MESSAGE_MARGIN}), or send an image under ${Math.floor((limit - MESSAGE_MARGIN) / channels)} pixels`,
    );
  }
}

/**
 * Responses parsed within this long of each other share a renderer call (renderBatches.ts), and
 * those that finish drawing within it share a PRM call (stepBatches.ts).
 */
const BATCH_WINDOW_MS = 2;
const RENDER_BATCH_MAX_TRAJECTORIES = 64;
const STEP_BATCH_MAX_STEPS = 256;

export class GroupSession {
  private readonly pending: Promise<ResponseWork>[] = [];
  private readonly renderBatches: RenderBatches;
  private readonly stepBatches: StepBatches;

  constructor(
    private readonly mesh: MeshClients,
    private readonly header: ScoreGroupRequest,
    private readonly imageDigest: string,
    private readonly image: GroupImage,
    private readonly imageSize: ImageSize,
    private readonly options: ScorerOptions,
    private readonly signal: AbortSignal,
    private readonly imageMs: number,
  ) {
    this.renderBatches = new RenderBatches(
      (request) => mesh.renderer.renderTrajectories({ ...request, outputFormat: ImageFormat.IMAGE_FORMAT_PATCH }, { signal }),
      { source: { $case: "digest", value: image.rendererDigest } },
      { windowMs: BATCH_WINDOW_MS, maxTrajectories: RENDER_BATCH_MAX_TRAJECTORIES },
    );
    this.stepBatches = new StepBatches(async (steps) => (await mesh.prm.scoreSteps({ model: header.prmModel, steps }, { signal })).scores, {
      windowMs: BATCH_WINDOW_MS,
      maxSteps: STEP_BATCH_MAX_STEPS,
    });
  }

  /** Starts scoring one response now. */
  add(response: ResponseToScore): void {
    const index = this.pending.length;
    if (index >= this.options.maxResponses) {
      throw new InvalidArgumentError("responses", `more than ${this.options.maxResponses} responses in one group`);
    }
    const id = response.id || String(index);
    const invalid = this.invalidInput(response, index);
    if (invalid) {
      this.pending.push(Promise.resolve(this.failed(id, response, FailureKind.FAILURE_KIND_INVALID_INPUT, invalid)));
      return;
    }
    const budget = this.header.sampleTimeoutMs || this.options.sampleTimeoutMs;
    const signal = AbortSignal.any([this.signal, AbortSignal.timeout(budget)]);
    this.pending.push(
      scoreResponse(this.mesh, this.image, id, response, {
        format: this.header.format ?? StepFormat.STEP_FORMAT_UNSPECIFIED,
        prmModel: this.header.prmModel,
        signal,
        renderBatches: this.renderBatches,
        stepBatches: this.stepBatches,
      }),
    );
  }

  async finish(assemble: AssembleOptions = {}): Promise<GroupRewards> {
    const works = await Promise.all(this.pending);
    const { responses, finepoMs } = await assembleGroup(this.mesh, this.header, works, this.signal, { imageSize: this.imageSize, ...assemble });
    const stageMs: Record<string, number> = { image: this.imageMs, parse: 0, render: 0, prm: 0, finepo: finepoMs };
    for (const w of works) for (const [stage, ms] of Object.entries(w.stageMs)) stageMs[stage] += ms;
    return { requestId: this.header.requestId, responses, imageDigest: this.imageDigest, stageMs };
  }

  /** A response the caller sent wrongly is masked with the reason; the rest of the group goes on. */
  private invalidInput(response: ResponseToScore, index: number): string | undefined {
    if (response.text.length > this.options.maxTextChars) {
      return `responses[${index}].text: ${response.text.length} characters; the limit is ${this.options.maxTextChars}`;
    }
    try {
      validateTokenOffsets(response.tokenOffsets, [...response.text].length, `responses[${index}].token_offsets`);
    } catch (err) {
      if (err instanceof InvalidArgumentError) return err.message;
      throw err;
    }
    return undefined;
  }

  private failed(id: string, request: ResponseToScore, kind: FailureKind, reason: string): ResponseWork {
    return { id, request, parsed: undefined, steps: [], scores: [], failure: { kind, reason }, stageMs: { parse: 0, render: 0, prm: 0 } };
  }
}
