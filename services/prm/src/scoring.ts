// From a request's StepToScore to the backend's PrmStep (images resolved), and from the four
// label probabilities back to the StepScore callers see.
import { PrmLabel, type StepScore, type StepToScore } from "@sketchvl/contract";
import { type ImageLimits, type ImageStore, resolveImage } from "@sketchvl/drawing";
import { InvalidArgumentError } from "@sketchvl/runtime/errors";
import type { LabelProbabilities, PrmStep } from "./backends";

const LABELS = [PrmLabel.PRM_LABEL_EXCELLENT, PrmLabel.PRM_LABEL_ACCEPTABLE, PrmLabel.PRM_LABEL_POOR, PrmLabel.PRM_LABEL_UNACCEPTABLE];
const VALUES = [4, 3, 2, 1];

/**
 * Resolves the steps of one request: images sent inline (or raw) first, then digests, so a digest
 * may name an image sent elsewhere in the same request (step j's before = step j-1's after).
 */
export async function toPrmSteps(steps: readonly StepToScore[], store: ImageStore, limits: ImageLimits): Promise<PrmStep[]> {
  await Promise.all(
    steps.flatMap((step, i) =>
      (["before", "after"] as const)
        .filter((side) => step[side]?.source && step[side]!.source!.$case !== "digest")
        .map((side) => resolveImage(step[side], `steps[${i}].${side}`, store, limits)),
    ),
  );
  return Promise.all(steps.map((s, i) => toPrmStep(s, `steps[${i}]`, store, limits)));
}

/** Validates one step and resolves its images; `field` names it in errors ("steps[3]"). */
export async function toPrmStep(step: StepToScore | undefined, field: string, store: ImageStore, limits: ImageLimits): Promise<PrmStep> {
  if (!step) throw new InvalidArgumentError(field, "a step is required");
  if (!step.action?.kind) throw new InvalidArgumentError(`${field}.action`, "every step needs an action (point, line, rectangle, circle, text or crop)");
  const [before, after] = await Promise.all([
    resolveImage(step.before, `${field}.before`, store, limits),
    resolveImage(step.after, `${field}.after`, store, limits),
  ]);
  if (before.image.width !== after.image.width || before.image.height !== after.image.height) {
    // A crop's after-image is smaller by design; any other size change is a caller's mix-up.
    if (step.action.kind.$case !== "crop") {
      throw new InvalidArgumentError(
        `${field}.after`,
        `is ${after.image.width}x${after.image.height} but before is ${before.image.width}x${before.image.height}; only a crop changes the size`,
      );
    }
  }
  return { id: step.id, intent: step.intent, action: step.action, before: before.image, after: after.image, reference: step.reference };
}

export function toStepScore(id: string, p: LabelProbabilities, model: string, version: string): StepScore {
  let best = 0;
  for (let i = 1; i < 4; i++) if (p[i] > p[best]) best = i;
  return {
    id,
    label: LABELS[best],
    probabilities: [p[0], p[1], p[2], p[3]],
    expectedScore: 4 * p[0] + 3 * p[1] + 2 * p[2] + p[3],
    argmaxScore: VALUES[best],
    model,
    version,
  };
}
