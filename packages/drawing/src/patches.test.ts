import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { type DrawingAction, ImageFormat } from "@sketchvl/contract";
import { InvalidArgumentError, NotFoundError } from "@sketchvl/errors";
import { changedRegions, drawPlanned, planActions } from "./draw";
import { outputImage, rawDigest, resolveImage } from "./imageRefs";
import { ImageStore } from "./imageStore";
import type { RasterImage } from "./images";
import { makePatch, PatchedImage, readRegion } from "./patches";

const LIMITS = { maxPixels: 10_000_000, maxBytes: 10_000_000 };

/** A 300×200 "chart": a gradient with a dark axis, so every pixel is distinct from the marks. */
function chart(): RasterImage {
  const width = 300;
  const height = 200;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      const axis = x === 30 || y === 170;
      pixels[o] = axis ? 0 : 200 + (x % 50);
      pixels[o + 1] = axis ? 0 : 180 + (y % 60);
      pixels[o + 2] = axis ? 0 : 240;
    }
  }
  return { width, height, channels: 3, pixels };
}

const line = (x1: number, y1: number, x2: number, y2: number): DrawingAction => ({
  kind: { $case: "line", value: { start: { x: x1, y: y1 }, end: { x: x2, y: y2 } } },
  color: "red",
  space: 0,
});
const text = (s: string): DrawingAction => ({ kind: { $case: "text", value: { at: { x: 500, y: 500 }, text: s } }, color: "blue", space: 0 });
const crop: DrawingAction = { kind: { $case: "crop", value: { corner1: { x: 100, y: 100 }, corner2: { x: 600, y: 700 } } }, color: "", space: 0 };

test("a patch output resolves, at a receiver holding the base, to exactly the drawn image", async () => {
  const renderer = new ImageStore(1 << 26);
  const base = await resolveImage({ source: { $case: "raw", value: { ...chart() } } }, "image", renderer, LIMITS);
  const planned = planActions(base.image, [line(100, 100, 900, 100), line(500, 50, 500, 950)], (i) => `actions[${i}]`);
  const after = await drawPlanned(base.image, ...planned);
  const ref = await outputImage(after, ImageFormat.IMAGE_FORMAT_PATCH, renderer, { digest: base.digest, changed: changedRegions(planned) });
  const source = ref.image?.source;
  assert.equal(source?.$case, "patch");
  if (source?.$case !== "patch") return;
  assert.equal(source.value.base, base.digest);
  assert.equal(source.value.regions.length, 2);
  const sent = source.value.regions.reduce((n, r) => n + r.pixels!.pixels.length, 0);
  assert.ok(sent < after.pixels.length / 4, `patch carries ${sent} bytes of ${after.pixels.length}`);

  // The receiver (the PRM) got the base earlier, then the patch.
  const receiver = new ImageStore(1 << 26);
  await resolveImage({ source: { $case: "raw", value: { ...chart() } } }, "image", receiver, LIMITS);
  const got = await resolveImage(ref.image, "steps[0].after", receiver, LIMITS);
  assert.equal(got.digest, ref.digest);
  assert.ok(got.image.pixels.equals(after.pixels), "patched pixels equal the drawn image");
  assert.ok(!got.image.pixels.equals(base.image.pixels), "the marks are there");
  assert.equal(receiver.get(ref.digest, "x"), got.image);
});

test("patch regions hold the after-image's pixels; a mark nothing overlaps is sent without a copy", async () => {
  const store = new ImageStore(1 << 26);
  const base = await resolveImage({ source: { $case: "raw", value: { ...chart() } } }, "image", store, LIMITS);
  // The first two cross (the second is drawn over the first's rectangle); the third stands apart.
  const planned = planActions(base.image, [line(100, 100, 900, 100), line(500, 50, 500, 950), line(100, 800, 300, 800)], (i) => `actions[${i}]`);
  const after = await drawPlanned(base.image, ...planned);
  const patch = makePatch(base.digest, after, changedRegions(planned)!);
  assert.ok(after instanceof PatchedImage);
  patch.regions.forEach((r, i) => {
    assert.ok(r.pixels!.pixels.equals(readRegion(after, { left: r.left, top: r.top, width: r.pixels!.width, height: r.pixels!.height })), `region ${i}`);
  });
  assert.notEqual(patch.regions[0].pixels!.pixels, after.regions[0].pixels, "the crossed mark is read from the image as it is at the end");
  assert.equal(patch.regions[1].pixels!.pixels, after.regions[1].pixels);
  assert.equal(patch.regions[2].pixels!.pixels, after.regions[2].pixels);
});

test("the patch digest is what a client computes from image.proto", async () => {
  const store = new ImageStore(1 << 26);
  const base = await resolveImage({ source: { $case: "raw", value: { ...chart() } } }, "image", store, LIMITS);
  const planned = planActions(base.image, [line(100, 100, 900, 100)], () => "a");
  const ref = await outputImage(await drawPlanned(base.image, ...planned), ImageFormat.IMAGE_FORMAT_PATCH, store, {
    digest: base.digest,
    changed: changedRegions(planned),
  });
  const patch = ref.image?.source?.$case === "patch" ? ref.image.source.value : assert.fail("no patch");
  const hash = createHash("sha256").update(`patch:${base.digest}\n`);
  for (const r of patch.regions) hash.update(`${r.left},${r.top}:raw:${r.pixels!.width}x${r.pixels!.height}x3\n`).update(r.pixels!.pixels);
  assert.equal(ref.digest, `sha256:${hash.digest("hex")}`);
});

test("nothing drawn: the base's digest; a crop (new size): raw pixels", async () => {
  const store = new ImageStore(1 << 26);
  const base = await resolveImage({ source: { $case: "raw", value: { ...chart() } } }, "image", store, LIMITS);
  const empty = planActions(base.image, [text("  ")], () => "a");
  assert.deepEqual(changedRegions(empty), []);
  const same = await outputImage(await drawPlanned(base.image, ...empty), ImageFormat.IMAGE_FORMAT_PATCH, store, { digest: base.digest, changed: [] });
  assert.deepEqual(same.image?.source, { $case: "digest", value: base.digest });

  const cropped = planActions(base.image, [crop], () => "a");
  assert.equal(changedRegions(cropped), undefined);
  const after = await drawPlanned(base.image, ...cropped);
  const ref = await outputImage(after, ImageFormat.IMAGE_FORMAT_PATCH, store, { digest: base.digest, changed: undefined });
  assert.equal(ref.image?.source?.$case, "raw");
  assert.equal(ref.digest, rawDigest(after));
});

test("bad patches are refused naming the field; the base must be held", async () => {
  const store = new ImageStore(1 << 26);
  const base = await resolveImage({ source: { $case: "raw", value: { ...chart() } } }, "image", store, LIMITS);
  const region = (left: number, top: number, width: number, height: number, channels = 3, bytes = width * height * channels) => ({
    left,
    top,
    pixels: { width, height, channels, pixels: Buffer.alloc(bytes) },
  });
  const attempt = async (patch: { base: string; regions: ReturnType<typeof region>[] }) => {
    try {
      await resolveImage({ source: { $case: "patch", value: patch } }, "steps[1].after", store, LIMITS);
    } catch (err) {
      return err as InvalidArgumentError | NotFoundError;
    }
    return assert.fail("accepted");
  };
  const missing = await attempt({ base: `sha256:${"1".repeat(64)}`, regions: [region(0, 0, 1, 1)] });
  assert.ok(missing instanceof NotFoundError);
  assert.equal(missing.field, "steps[1].after.patch.base");
  const cases: Array<[ReturnType<typeof region>[], string]> = [
    [[], "steps[1].after.patch.regions"],
    [[region(0, 0, 2, 2), region(290, 10, 20, 5)], "steps[1].after.patch.regions[1]"],
    [[region(0, 0, 2, 2, 4)], "steps[1].after.patch.regions[0].pixels.channels"],
    [[region(0, 0, 2, 2, 3, 11)], "steps[1].after.patch.regions[0].pixels.pixels"],
    [[region(0, 0, 0, 2)], "steps[1].after.patch.regions[0].pixels"],
  ];
  for (const [regions, field] of cases) {
    const err = await attempt({ base: base.digest, regions });
    assert.ok(err instanceof InvalidArgumentError, field);
    assert.equal(err.field, field);
  }
  const malformed = await attempt({ base: "md5:x", regions: [region(0, 0, 1, 1)] });
  assert.equal(malformed.field, "steps[1].after.patch.base");
});
