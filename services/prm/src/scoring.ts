// From a request's StepToScore to the backend's PrmStep (images resolved), and from the four
// label probabilities back to the StepScore callers see.
import { expectedPrmScore, type Image, mostProbableLabelIndex, PRM_LABEL_SCALE, type StepScore, type StepToScore } from "@sketchvl/contract";
import { type ImageLimits, type ImageLookup, type ImageStore, pinnedImages, type RasterImage, resolveImage } from "@sketchvl/drawing";
import { InvalidArgumentError } from "@sketchvl/errors";
import type { LabelProbabilities, PrmStep } from "./backends";

type ImageRefOf = { image: Image; field: string };

/**
 * Resolves the steps of one request: images sent inline (or raw) first, decoded in parallel; then
 * patches in request order (a patch's base may be an earlier image of the request: step j's after
 * is drawn on step j-1's after); digests last, so a digest may name any image of the request.
 */
export async function toPrmSteps(steps: readonly StepToScore[], shared: ImageStore, limits: ImageLimits): Promise<PrmStep[]> {
  const store = pinnedImages(shared);
  const resolved = new Map<Image, RasterImage>();
  const refs: ImageRefOf[] = steps.flatMap((step, i) =>
    (["before", "after"] as const).flatMap((side) => (step?.[side] ? [{ image: step[side]!, field: `steps[${i}].${side}` }] : [])),
  );
  const resolve = async ({ image, field }: ImageRefOf) => resolved.set(image, (await resolveImage(image, field, store, limits)).image);
  const sourceOf = (r: ImageRefOf) => r.image.source?.$case;
  await Promise.all(refs.filter((r) => sourceOf(r) === "encoded" || sourceOf(r) === "raw").map(resolve));
  for (const r of refs) if (sourceOf(r) === "patch") await resolve(r);
  return Promise.all(steps.map((s, i) => toPrmStep(s, `steps[${i}]`, store, limits, resolved)));
}

/** Validates one step and resolves its images (unless in `resolved`); `field` names it in errors ("steps[3]"). */
export async function toPrmStep(
  step: StepToScore | undefined,
  field: string,
  store: ImageLookup,
  limits: ImageLimits,
  resolved?: ReadonlyMap<Image, RasterImage>,
): Promise<PrmStep> {
  if (!step) throw new InvalidArgumentError(field, "a step is required");
  if (!step.action?.kind) throw new InvalidArgumentError(`${field}.action`, "every step needs an action (point, line, rectangle, circle, text or crop)");
  const imageOf = async (side: "before" | "after"): Promise<RasterImage> => {
    const image = step[side];
    return (image && resolved?.get(image)) ?? (await resolveImage(image, `${field}.${side}`, store, limits)).image;
  };
  const beforeImage = imageOf("before");
  // An after-image sent as a patch is usually drawn on this very before-image: resolve that first.
  const afterImage = step.after?.source?.$case === "patch" ? beforeImage.then(() => imageOf("after")) : imageOf("after");
  const [before, after] = await Promise.all([beforeImage, afterImage]);
  if (before.width !== after.width || before.height !== after.height) {
    // A crop's after-image is smaller by design; any other size change is a caller's mix-up.
    if (step.action.kind.$case !== "crop") {
      throw new InvalidArgumentError(
        `${field}.after`,
        `is ${after.width}x${after.height} but before is ${before.width}x${before.height}; only a crop changes the size`,
      );
    }
  }
  return { id: step.id, intent: step.intent, action: step.action, before, after, reference: step.reference };
}

export function toStepScore(id: string, p: LabelProbabilities, model: string, version: string): StepScore {
  const best = PRM_LABEL_SCALE[mostProbableLabelIndex(p)];
  return {
    id,
    label: best.label,
    probabilities: [p[0], p[1], p[2], p[3]],
    expectedScore: expectedPrmScore(p),
    argmaxScore: best.score,
    model,
    version,
  };
}
