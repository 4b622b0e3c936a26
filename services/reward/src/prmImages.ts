// The images of a response's scored steps as the PRM receives them: the renderer returns every
// after-image as a patch on its before-image (IMAGE_FORMAT_PATCH), and the PRM request carries those
// patches on to the PRM, so no image is encoded or decoded between the two.
//
// Text steps are not scored (excluded from credit assignment) but their marks stay on the image, so
// the next scored step's before-image is "the last image the PRM holds + the Text marks since":
// their regions are carried over into that step's before patch.
import type { Image, ImageRef, PatchRegion } from "@sketchvl/contract";
import { patchDigest, rawDigest } from "@sketchvl/drawing";

export interface StepImages {
  before: Image;
  after: Image;
}

/**
 * For each step, its (before, after) images for a PRM request where the steps come in order, or
 * undefined for a step that is not scored. `baseDigest` is the prompt image at the PRM; `afters` are
 * the renderer's after-images with their digests.
 */
export function prmStepImages(baseDigest: string, afters: readonly ImageRef[], scored: (j: number) => boolean): Array<StepImages | undefined> {
  let held = baseDigest; // the last image the PRM will hold when it reaches step j
  let carried: PatchRegion[] = []; // marks of unscored steps drawn on `held` since
  return afters.map((ref, j) => {
    const rendered = ref.image!;
    const source = rendered.source;
    if (!scored(j)) {
      if (source?.$case === "patch") carried = carried.concat(source.value.regions);
      else if (source?.$case !== "digest") throw new Error(`unscored step ${j} changed the image size; its after-image cannot be carried`);
      return undefined;
    }
    let before: Image = { source: { $case: "digest", value: held } };
    if (carried.length > 0) {
      const patch = { base: held, regions: carried };
      before = { source: { $case: "patch", value: patch } };
      held = patchDigest(patch);
      carried = [];
    }
    let after: Image;
    switch (source?.$case) {
      case "patch": {
        // Re-based on the before-image as the PRM knows it (the renderer's digest for it may differ).
        const patch = { base: held, regions: source.value.regions };
        after = { source: { $case: "patch", value: patch } };
        // The renderer's own patch (same base, same regions) has the digest it gave: not hashed again.
        held = source.value.base === held ? ref.digest : patchDigest(patch);
        break;
      }
      case "digest": // nothing was drawn: the after-image is the before-image
        after = { source: { $case: "digest", value: held } };
        break;
      case "raw": // a crop: a new, smaller image
        after = rendered;
        held = rawDigest(source.value);
        break;
      default:
        throw new Error(`the renderer returned step ${j}'s after-image as ${source?.$case ?? "nothing"}; expected a patch`);
    }
    return { before, after };
  });
}
