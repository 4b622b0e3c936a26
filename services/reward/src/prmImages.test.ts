import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type DrawingAction, ImageFormat, type ImageRef } from "@sketchvl/contract";
import { changedRegions, drawPlanned, ImageStore, outputImage, planActions, type RasterImage, resolveImage } from "@sketchvl/drawing";
import { prmStepImages } from "./prmImages";

const LIMITS = { maxPixels: 10_000_000, maxBytes: 10_000_000 };

function chart(): RasterImage {
  const width = 320;
  const height = 240;
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = 150 + ((i * 7) % 100);
  return { width, height, channels: 3, pixels };
}

const at = (x: number, y: number) => ({ x, y });
const actions: DrawingAction[] = [
  { kind: { $case: "rectangle", value: { corner1: at(100, 100), corner2: at(300, 250) } }, color: "red", space: 0 },
  { kind: { $case: "text", value: { at: at(400, 400), text: "FDI" } }, color: "blue", space: 0 },
  { kind: { $case: "text", value: { at: at(420, 600), text: "2015" } }, color: "green", space: 0 },
  { kind: { $case: "line", value: { start: at(50, 500), end: at(950, 500) } }, color: "blue", space: 0 },
  { kind: { $case: "text", value: { at: at(10, 10), text: " " } }, color: "blue", space: 0 }, // draws nothing
  { kind: { $case: "crop", value: { corner1: at(0, 0), corner2: at(500, 500) } }, color: "", space: 0 },
  { kind: { $case: "point", value: { at: at(500, 500) } }, color: "red", space: 0 },
];
const scored = (j: number) => actions[j].kind!.$case !== "text";

describe("prmStepImages", () => {
  it("gives the PRM every scored step's exact before and after, carrying unscored Text marks over", async () => {
    // The renderer's side: draw the trajectory, return each after-image as a patch.
    const renderer = new ImageStore(1 << 28);
    const base = await resolveImage({ source: { $case: "raw", value: { ...chart() } } }, "image", renderer, LIMITS);
    const drawn: RasterImage[] = [base.image];
    const afters: ImageRef[] = [];
    let digest = base.digest;
    const planned = planActions(base.image, actions, (i) => `steps[${i}]`);
    for (const p of planned) {
      const after = await drawPlanned(drawn[drawn.length - 1], p);
      const ref = await outputImage(after, ImageFormat.IMAGE_FORMAT_PATCH, renderer, { digest, changed: changedRegions([p]) });
      afters.push(ref);
      drawn.push(after);
      digest = ref.digest;
    }
    assert.deepEqual(
      afters.map((a) => a.image?.source?.$case),
      ["patch", "patch", "patch", "patch", "digest", "raw", "patch"],
    );

    // The PRM's side: it holds the prompt image and resolves the request's images in order.
    const prm = new ImageStore(1 << 28);
    await resolveImage({ source: { $case: "raw", value: { ...chart() } } }, "image", prm, LIMITS);
    const images = prmStepImages(base.digest, afters, scored);
    assert.deepEqual(
      images.map((x) => x !== undefined),
      actions.map((_, j) => scored(j)),
    );
    for (const [j, pair] of images.entries()) {
      if (!pair) continue;
      const before = await resolveImage(pair.before, `steps[${j}].before`, prm, LIMITS);
      const after = await resolveImage(pair.after, `steps[${j}].after`, prm, LIMITS);
      assert.ok(before.image.pixels.equals(drawn[j].pixels), `step ${j}: before-image`);
      assert.ok(after.image.pixels.equals(drawn[j + 1].pixels), `step ${j}: after-image`);
      assert.equal(after.image.width, drawn[j + 1].width);
    }
    // The line's before-image: the box's after-image (held) plus the two Text marks as one patch.
    const lineBefore = images[3]!.before.source;
    assert.equal(lineBefore?.$case, "patch");
    if (lineBefore?.$case === "patch") assert.equal(lineBefore.value.regions.length, 2);
  });
});
