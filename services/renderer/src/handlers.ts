// gRPC handlers of RendererService: request checks and wiring only; the work is in @sketchvl/drawing
// and @sketchvl/steps (ParseSteps serves external callers; the mesh's own services parse in-process).
import { type DrawingAction, type Image, ImageFormat, type RendererServiceImplementation, type RenderTrajectoriesResponse } from "@sketchvl/contract";
import { describeFailure, type WorkBudget } from "@sketchvl/runtime";
import { InvalidArgumentError } from "@sketchvl/errors";
import {
  changedRegions,
  type DrawingThreads,
  drawingBytes,
  imageCost,
  type ImageLimits,
  type ImageStore,
  outputImage,
  planActions,
  resolveImage,
} from "@sketchvl/drawing";
import { parseSteps } from "@sketchvl/steps";
import type { ChartSandbox } from "./chartSandbox/chartSandbox";
import { renderChartCode } from "./chartSandbox/renderChartCode";

export interface RendererLimits extends ImageLimits {
  /** Actions in one Render call, or steps in one RenderTrajectory call. */
  maxActions: number;
  /** Trajectories in one RenderTrajectories call. */
  maxTrajectories: number;
  /** Characters (Unicode code points, the unit of TextSpan) of response text in one ParseSteps call. */
  maxTextChars: number;
  /** Characters of chart code in one RenderChartCode call. */
  maxChartCodeChars: number;
}

/**
 * The number of code points of `text` when it is more than `limit`, else undefined. Cheap in the
 * common case: a text of at most `limit` UTF-16 units has at most `limit` code points, so only a
 * longer one is counted (surrogate pairs count one; a lone surrogate one, as in codePointMapper).
 */
function codePointsOver(text: string, limit: number): number | undefined {
  if (text.length <= limit) return undefined;
  let n = text.length;
  for (let i = 0; i + 1 < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n--;
      i++;
    }
  }
  return n > limit ? n : undefined;
}

function checkCount(count: number, limit: number, field: string): void {
  if (count > limit) throw new InvalidArgumentError(field, `${count} items; the limit is ${limit}`, "LIMIT_EXCEEDED");
}

/**
 * Bytes an output image costs while it is made: PNG and raw pixels read the whole image (a full
 * copy of a patched one) and encode or serialize it; a patch carries only the marks' rectangles.
 */
const outputBytes = (size: { width: number; height: number }, format: ImageFormat) =>
  format === ImageFormat.IMAGE_FORMAT_PATCH ? 0 : 2 * 3 * size.width * size.height;

export interface RendererDeps {
  store: ImageStore;
  limits: RendererLimits;
  /** Where pixels are drawn: off the event loop, so health checks and rejections answer at once. */
  threads: DrawingThreads;
  /** Working memory of the calls in flight, reserved before any pixel work. */
  budget: WorkBudget;
  /** Where chart code is rendered: worker threads with time and memory limits, no URL or file access. */
  sandbox: ChartSandbox;
}

export function rendererHandlers({ store, limits, threads, budget, sandbox }: RendererDeps): RendererServiceImplementation {
  /**
   * Checks `steps` against the image (from its header or the store, nothing decoded yet) and
   * reserves what drawing them will hold; the call is refused before any work when it does not fit.
   */
  const admit = async (
    image: Image | undefined,
    imageField: string,
    steps: DrawingAction[][],
    field: (i: number) => string,
    format: ImageFormat,
    costField: string,
  ) => {
    threads.checkRoom();
    const cost = await imageCost(image, imageField, store, limits);
    budget.check(cost.bytes + outputBytes(cost, format), costField); // before planning: refusals stay cheap under overload
    let offset = 0;
    const planned = steps.map((actions) => {
      const at = offset;
      offset += actions.length;
      return planActions(cost, actions, (i) => field(at + i));
    });
    const bytes = cost.bytes + drawingBytes(cost, planned) + outputBytes(cost, format);
    return { planned, reservation: budget.reserve(bytes, costField) };
  };

  return {
    async putImage(request) {
      const { width, height, bytes } = await imageCost(request.image, "image", store, limits);
      const reservation = budget.reserve(bytes, "image");
      try {
        const { digest } = await resolveImage(request.image, "image", store, limits);
        return { image: { digest, width, height, image: undefined } };
      } finally {
        reservation.release();
      }
    },

    async render(request, context) {
      checkCount(request.actions.length, limits.maxActions, "actions");
      const { planned, reservation } = await admit(request.image, "image", [request.actions], (i) => `actions[${i}]`, request.outputFormat, "actions");
      try {
        const { digest, image } = await resolveImage(request.image, "image", store, limits);
        let after = image;
        for await (const drawn of threads.drawSteps(image, planned, context.signal)) after = drawn;
        return { image: await outputImage(after, request.outputFormat, store, { digest, changed: changedRegions(planned[0]) }) };
      } finally {
        reservation.release();
      }
    },

    // Every step is validated before the first after-image is sent: a bad step fails the whole
    // call with INVALID_ARGUMENT naming steps[i], never half a trajectory.
    async *renderTrajectory(request, context) {
      checkCount(request.steps.length, limits.maxActions, "steps");
      const actions = request.steps.map((step, i) => {
        if (!step.action) throw new InvalidArgumentError(`steps[${i}].action`, "every step needs an action");
        return [step.action];
      });
      const { planned, reservation } = await admit(request.baseImage, "base_image", actions, (i) => `steps[${i}].action`, request.outputFormat, "steps");
      try {
        const base = await resolveImage(request.baseImage, "base_image", store, limits);
        let digest = base.digest;
        let i = 0;
        for await (const after of threads.drawSteps(base.image, planned, context.signal)) {
          const ref = await outputImage(after, request.outputFormat, store, { digest, changed: changedRegions(planned[i]) });
          // The step's position in this request, not step.index: clients that build Steps
          // themselves often leave index unset (0).
          yield { stepIndex: i++, beforeDigest: digest, after: ref };
          digest = ref.digest;
        }
      } finally {
        reservation.release();
      }
    },

    // Each trajectory on its own: a bad one answers with a TrajectoryError (checked before any of
    // its after-images is sent) and the others go on. They share one admission, one base image and
    // one call to a drawing thread.
    async *renderTrajectories(request, context) {
      checkCount(request.trajectories.length, limits.maxTrajectories, "trajectories");
      const refusal = (trajectoryIndex: number, err: unknown): RenderTrajectoriesResponse => {
        const failure = describeFailure(err);
        if (!failure) throw err;
        return { trajectoryIndex, result: { $case: "error", value: failure } };
      };
      threads.checkRoom(); // before any work: refusals stay cheap under overload
      // Checked and planned one trajectory at a time, so a bad step fails only its own.
      const cost = await imageCost(request.baseImage, "base_image", store, limits);
      const drawable: Array<{ index: number; planned: ReturnType<typeof planActions>[] }> = [];
      const refused: RenderTrajectoriesResponse[] = [];
      for (const [index, trajectory] of request.trajectories.entries()) {
        try {
          checkCount(trajectory.steps.length, limits.maxActions, "steps");
          const planned = trajectory.steps.map((step, i) => {
            if (!step.action) throw new InvalidArgumentError(`steps[${i}].action`, "every step needs an action");
            return planActions(cost, [step.action], () => `steps[${i}].action`);
          });
          drawable.push({ index, planned });
        } catch (err) {
          refused.push(refusal(index, err));
        }
      }
      const bytes = cost.bytes + drawable.reduce((n, t) => n + drawingBytes(cost, t.planned) + outputBytes(cost, request.outputFormat), 0);
      const reservation = budget.reserve(bytes, "trajectories");
      try {
        yield* refused;
        if (drawable.length === 0) return;
        const base = await resolveImage(request.baseImage, "base_image", store, limits);
        const digests = drawable.map(() => base.digest);
        const sent = drawable.map(() => 0);
        try {
          // One call to one drawing thread: the group's marks are rasterized together.
          const drawn = threads.drawTrajectories(
            base.image,
            drawable.map((t) => t.planned),
            context.signal,
          );
          for await (const { trajectory: k, after } of drawn) {
            const i = sent[k]++;
            const ref = await outputImage(after, request.outputFormat, store, { digest: digests[k], changed: changedRegions(drawable[k].planned[i]) });
            yield { trajectoryIndex: drawable[k].index, result: { $case: "step", value: { stepIndex: i, beforeDigest: digests[k], after: ref } } };
            digests[k] = ref.digest;
          }
        } catch (err) {
          if (context.signal.aborted) throw err;
          // Drawing failed (a thread stopped, the queue was full): every unfinished trajectory says so.
          for (const [k, t] of drawable.entries()) if (sent[k] < t.planned.length) yield refusal(t.index, err);
        }
      } finally {
        reservation.release();
      }
    },

    async parseSteps(request) {
      const over = codePointsOver(request.text, limits.maxTextChars);
      if (over !== undefined) {
        throw new InvalidArgumentError("text", `${over} characters (Unicode code points); the limit is ${limits.maxTextChars}`, "LIMIT_EXCEEDED");
      }
      return { parsed: parseSteps(request.text, request.format) };
    },

    renderChartCode(request) {
      return renderChartCode(request, sandbox, store, { maxCodeChars: limits.maxChartCodeChars, budget });
    },
  };
}
