import assert from "node:assert/strict";
import { test } from "node:test";
import { PatchedImage, type RasterImage } from "@sketchvl/drawing";
import { readInk, readPlanes } from "./correlate";
import { stepPixels } from "./patches";

/** A 200×100 gray-gradient RGB image: every pixel's ink differs, so a wrong read shows. */
function gradient(): RasterImage {
  const pixels = Buffer.alloc(200 * 100 * 3);
  for (let i = 0; i < 200 * 100; i++) pixels.fill((i * 7) % 251, 3 * i, 3 * i + 3);
  return { width: 200, height: 100, channels: 3, pixels };
}

const black = (left: number, top: number, width: number, height: number) => ({ left, top, width, height, pixels: Buffer.alloc(width * height * 3) });

test("readPlanes: a region read again is the same planes; a mark over it makes new ones, read through the mark", () => {
  const root = gradient();
  const plain = stepPixels(root, null);
  const first = readPlanes(plain, 10, 20, 120, 30);
  assert.equal(readPlanes(stepPixels(root, null), 10, 20, 120, 30), first, "the same root and rectangle: kept");
  assert.deepEqual([...first.full.ink], [...readInk(plain, 10, 20, 120, 30)], "the kept ink is the region's ink");

  // A mark that overlaps the region: other pixels, other planes.
  const marked = stepPixels(new PatchedImage(root, [black(50, 30, 10, 10)]), null);
  const over = readPlanes(marked, 10, 20, 120, 30);
  assert.notEqual(over, first);
  assert.deepEqual([...over.full.ink], [...readInk(marked, 10, 20, 120, 30)]);
  assert.notDeepEqual([...over.full.ink], [...first.full.ink], "the mark shows in the ink");

  // A mark elsewhere does not change the region's pixels: the kept planes serve.
  const away = stepPixels(new PatchedImage(root, [black(150, 80, 10, 10)]), null);
  assert.equal(readPlanes(away, 10, 20, 120, 30), first);

  // Another image with the same size: never the first image's planes.
  assert.notEqual(readPlanes(stepPixels(gradient(), null), 10, 20, 120, 30), first);
});
