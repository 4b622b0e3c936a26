// One response through the mesh, as soon as it arrives: parse its steps (here: @sketchvl/steps,
// a pure function, so no network hop), draw each step's after-image (renderer), rate every drawing
// step from its (before, after) pair (PRM).
// Failures are classified, never thrown: a response the policy wrote badly is a FORMAT failure
// (kept, no process credit); one the mesh could not score is INFRASTRUCTURE or TIMEOUT (masked).
import {
  FailureKind,
  type Image,
  ImageFormat,
  type ImageRef,
  type ParsedResponse,
  type ResponseToScore,
  type Step,
  type StepFormat,
  type StepScore,
  type StepToScore,
} from "@sketchvl/contract";
import { ImageStore, rawDigest, resolveImage, toRawImage } from "@sketchvl/drawing";
import { isAbortError } from "abort-controller-x";
import { InvalidArgumentError, MeshError, NotFoundError, UnavailableError } from "@sketchvl/errors";
import { parseSteps } from "@sketchvl/steps";
import type { MeshClients } from "./meshClients";
import { prmStepImages } from "./prmImages";
import type { RenderBatches } from "./renderBatches";
import type { StepBatches } from "./stepBatches";
import { textForParsing } from "./responseText";

export interface GroupImage {
  /** Digests of the prompt image in the renderer's and the PRM's stores. */
  rendererDigest: string;
  prmDigest: string;
  /** The image itself, re-sent inline when a replica no longer has the digest. */
  inline: Image;
}

export interface ResponseWork {
  id: string;
  request: ResponseToScore;
  parsed: ParsedResponse | undefined;
  steps: Step[];
  /** One per step; undefined for Text steps (not scored: excluded from credit assignment). */
  scores: Array<StepScore | undefined>;
  failure: { kind: FailureKind; reason: string } | undefined;
  stageMs: Record<"parse" | "render" | "prm", number>;
}

const isText = (s: Step) => s.action?.kind?.$case === "text";

export interface PipelineOptions {
  format: StepFormat;
  prmModel: string;
  /** This response's own: the group's, or its sample timeout. */
  signal: AbortSignal;
  /** The group's renderer calls, shared by responses parsed together. */
  renderBatches: RenderBatches;
  /** The group's PRM calls, shared by responses that finish drawing together. */
  stepBatches: StepBatches;
}

/** `work`, or the signal's abort if that comes first (a shared call goes on for the others). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

export async function scoreResponse(
  mesh: MeshClients,
  image: GroupImage,
  id: string,
  request: ResponseToScore,
  options: PipelineOptions,
): Promise<ResponseWork> {
  const work: ResponseWork = { id, request, parsed: undefined, steps: [], scores: [], failure: undefined, stageMs: { parse: 0, render: 0, prm: 0 } };
  const { signal } = options;
  let stage: "parse" | "render" | "prm" = "parse";
  try {
    let t = performance.now();
    // Chat-template tokens blanked (same positions): "Answer: 2022<|im_end|>" answers "2022".
    // An unknown format throws InvalidArgumentError, classified below as the renderer's refusal was.
    const parsed = parseSteps(textForParsing(request.text), options.format);
    work.parsed = parsed;
    work.steps = parsed.steps;
    work.stageMs.parse = performance.now() - t;
    if (work.steps.length === 0) {
      const why = parsed.errors.length ? parsed.errors.map((e) => `${e.field}: ${e.message}`).join("; ") : "no drawing step found";
      work.failure = { kind: FailureKind.FAILURE_KIND_FORMAT, reason: why };
      return work;
    }

    stage = "render";
    t = performance.now();
    const steps = work.steps;
    const afters = await untilAborted(
      options.renderBatches.render(steps, () => renderSteps(mesh, image, steps, signal)),
      signal,
    );
    work.stageMs.render = performance.now() - t;

    stage = "prm";
    t = performance.now();
    work.scores = await scoreSteps(mesh, image, id, work.steps, afters, options);
    work.stageMs.prm = performance.now() - t;
  } catch (err) {
    work.failure = classify(err, stage, signal);
  }
  return work;
}

async function renderSteps(mesh: MeshClients, image: GroupImage, steps: Step[], signal: AbortSignal): Promise<ImageRef[]> {
  const render = async (baseImage: Image) => {
    const out: ImageRef[] = [];
    for await (const r of mesh.renderer.renderTrajectory({ baseImage, steps, outputFormat: ImageFormat.IMAGE_FORMAT_PATCH }, { signal })) {
      if (!r.after?.image) throw new Error(`renderer returned no after-image for step ${r.stepIndex}`);
      out.push(r.after);
    }
    return out;
  };
  try {
    return await render({ source: { $case: "digest", value: image.rendererDigest } });
  } catch (err) {
    // Another replica, or evicted: send the image itself once more.
    if (isMissingImage(err)) return render(image.inline);
    throw err;
  }
}

async function scoreSteps(
  mesh: MeshClients,
  image: GroupImage,
  id: string,
  steps: Step[],
  afters: ImageRef[],
  options: PipelineOptions,
): Promise<Array<StepScore | undefined>> {
  const toScore: StepToScore[] = [];
  prmStepImages(image.prmDigest, afters, (j) => !isText(steps[j])).forEach((images, j) => {
    if (images) toScore.push({ id: `${id}:${j}`, intent: steps[j].intent, action: steps[j].action, ...images, reference: undefined });
  });
  let scores: StepScore[];
  try {
    scores = await untilAborted(options.stepBatches.score(toScore), options.signal);
  } catch (err) {
    if (!isMissingImage(err)) throw err;
    // Another PRM replica, or evicted: send the images themselves (whichever replica gets it).
    const steps = await selfContained(toScore, image.inline);
    scores = (await mesh.prm.scoreSteps({ model: options.prmModel, steps }, { signal: options.signal })).scores;
  }
  const byId = new Map(scores.map((s) => [s.id, s]));
  return steps.map((_, j) => byId.get(`${id}:${j}`));
}

/**
 * The same steps with their images as raw pixels (each once; later by its digest in the same
 * request), rebuilt here from the prompt image and the patches: a request any PRM replica can serve.
 */
async function selfContained(steps: StepToScore[], prompt: Image): Promise<StepToScore[]> {
  const limits = { maxPixels: Number.MAX_SAFE_INTEGER, maxBytes: Number.MAX_SAFE_INTEGER };
  const local = new ImageStore(Number.MAX_SAFE_INTEGER);
  await resolveImage(prompt, "image", local, limits);
  const sent = new Set<string>();
  const inline = async (img: Image | undefined, field: string): Promise<Image> => {
    const raw = toRawImage((await resolveImage(img, field, local, limits)).image);
    const digest = rawDigest(raw);
    if (sent.has(digest)) return { source: { $case: "digest", value: digest } };
    sent.add(digest);
    return { source: { $case: "raw", value: raw } };
  };
  const out: StepToScore[] = [];
  for (const [i, s] of steps.entries())
    out.push({ ...s, before: await inline(s.before, `steps[${i}].before`), after: await inline(s.after, `steps[${i}].after`) });
  return out;
}

/** The replica does not hold an image we referred to by digest (not a missing model): told by the reason the renderer or PRM sent. */
export const isMissingImage = (err: unknown) => err instanceof NotFoundError && err.reason === "IMAGE_NOT_FOUND";

/** The mesh's clients throw typed errors (meshClients.ts); the kind decides, never the message. */
export function classify(err: unknown, stage: "parse" | "render" | "prm", signal: AbortSignal): { kind: FailureKind; reason: string } {
  if (signal.aborted || isAbortError(err)) return { kind: FailureKind.FAILURE_KIND_TIMEOUT, reason: `not scored within the sample timeout (during ${stage})` };
  // The renderer refusing a step the policy wrote (absurd coordinates, unknown colour) is the
  // policy's format problem; anything else is the mesh's.
  if (stage === "render" && err instanceof InvalidArgumentError) return { kind: FailureKind.FAILURE_KIND_FORMAT, reason: err.message };
  if (err instanceof UnavailableError && err.timedOut) return { kind: FailureKind.FAILURE_KIND_TIMEOUT, reason: `${stage}: ${err.message}` };
  if (err instanceof MeshError) return { kind: FailureKind.FAILURE_KIND_INFRASTRUCTURE, reason: `${stage}: ${err.message}` };
  return { kind: FailureKind.FAILURE_KIND_INFRASTRUCTURE, reason: `${stage}: ${(err as Error).message}` };
}
