// gRPC handlers of RendererService: request checks and wiring only; the work is in @sketchvl/drawing and parse/.
import type { RendererServiceImplementation } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/runtime/errors";
import { changedRegions, drawPlanned, type ImageLimits, type ImageStore, outputImage, planActions, prerender, resolveImage } from "@sketchvl/drawing";
import { parseSteps } from "./parse";

export interface RendererLimits extends ImageLimits {
  /** Actions in one Render call, or steps in one RenderTrajectory call. */
  maxActions: number;
  /** Characters (Unicode code points, the unit of TextSpan) of response text in one ParseSteps call. */
  maxTextChars: number;
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
  if (count > limit) throw new InvalidArgumentError(field, `${count} items; the limit is ${limit}`);
}

/** Steps whose marks RenderTrajectory rasterizes together. */
const PRERENDER_STEPS = 16;

export function rendererHandlers(store: ImageStore, limits: RendererLimits): RendererServiceImplementation {
  return {
    async putImage(request) {
      const { digest, image } = await resolveImage(request.image, "image", store, limits);
      return { image: { digest, width: image.width, height: image.height, image: undefined } };
    },

    async render(request) {
      checkCount(request.actions.length, limits.maxActions, "actions");
      const { digest, image } = await resolveImage(request.image, "image", store, limits);
      const planned = planActions(image, request.actions, (i) => `actions[${i}]`);
      const after = await drawPlanned(image, ...planned);
      return { image: await outputImage(after, request.outputFormat, store, { digest, changed: changedRegions(planned) }) };
    },

    // Every step is validated before the first after-image is sent: a bad step fails the whole
    // call with INVALID_ARGUMENT naming steps[i], never half a trajectory.
    async *renderTrajectory(request, context) {
      checkCount(request.steps.length, limits.maxActions, "steps");
      let { digest, image } = await resolveImage(request.baseImage, "base_image", store, limits);
      const actions = request.steps.map((step, i) => {
        if (!step.action) throw new InvalidArgumentError(`steps[${i}].action`, "every step needs an action");
        return step.action;
      });
      const planned = planActions(image, actions, (i) => `steps[${i}].action`);
      for (const [i, step] of request.steps.entries()) {
        context.signal.throwIfAborted();
        // The next steps' marks in one rasterization; a bounded number ahead (their pixels are held).
        if (i % PRERENDER_STEPS === 0) await prerender(planned.slice(i, i + PRERENDER_STEPS));
        const after = await drawPlanned(image, planned[i]);
        const ref = await outputImage(after, request.outputFormat, store, { digest, changed: changedRegions([planned[i]]) });
        // The step's position in this request, not step.index: clients that build Steps
        // themselves often leave index unset (0).
        yield { stepIndex: i, beforeDigest: digest, after: ref };
        digest = ref.digest;
        image = after;
      }
    },

    async parseSteps(request) {
      const over = codePointsOver(request.text, limits.maxTextChars);
      if (over !== undefined) {
        throw new InvalidArgumentError("text", `${over} characters (Unicode code points); the limit is ${limits.maxTextChars}`);
      }
      return { parsed: parseSteps(request.text, request.format) };
    },
  };
}


