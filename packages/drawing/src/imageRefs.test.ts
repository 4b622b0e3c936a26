import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { ImageFormat } from "@sketchvl/contract";
import { ImageStore } from "./imageStore";
import { outputImage, rawDigest, resolveImage } from "./imageRefs";

const LIMITS = { maxPixels: 1_000_000, maxBytes: 1_000_000 };

/** What a client computes locally, following image.proto (ImageRef.digest). */
const clientRawDigest = (w: number, h: number, c: number, pixels: Uint8Array) =>
  `sha256:${createHash("sha256").update(`raw:${w}x${h}x${c}\n`).update(pixels).digest("hex")}`;

test("raw RGBA input: the digest is over the pixels as sent, as a client computes it", async () => {
  const rgba = Buffer.from([255, 0, 0, 128, 0, 0, 255, 255, 10, 20, 30, 0]); // 3x1, half / opaque / clear
  const store = new ImageStore(1 << 20);
  const { digest, image } = await resolveImage({ source: { $case: "raw", value: { width: 3, height: 1, channels: 4, pixels: rgba } } }, "image", store, LIMITS);
  assert.equal(digest, clientRawDigest(3, 1, 4, rgba));
  // Stored under that digest, flattened to RGB for drawing.
  assert.equal(image.channels, 3);
  assert.equal(store.get(digest, "image.digest"), image);
  assert.notEqual(digest, rawDigest(image));
});

test("raw RGB input: the digest is over its pixels", async () => {
  const rgb = Buffer.from([1, 2, 3, 4, 5, 6]);
  const { digest } = await resolveImage(
    { source: { $case: "raw", value: { width: 1, height: 2, channels: 3, pixels: rgb } } },
    "image",
    new ImageStore(1 << 20),
    LIMITS,
  );
  assert.equal(digest, clientRawDigest(1, 2, 3, rgb));
});

test("images made in the mesh hash their own pixels (raw) or their PNG bytes", async () => {
  const img = { width: 2, height: 1, channels: 3 as const, pixels: Buffer.from([9, 8, 7, 6, 5, 4]) };
  const store = new ImageStore(1 << 20);
  const raw = await outputImage(img, ImageFormat.IMAGE_FORMAT_RAW, store);
  assert.equal(raw.digest, clientRawDigest(2, 1, 3, img.pixels));
  const only = await outputImage(img, ImageFormat.IMAGE_FORMAT_DIGEST_ONLY, store);
  assert.equal(only.digest, raw.digest);
  const png = await outputImage(img, ImageFormat.IMAGE_FORMAT_PNG, store);
  const source = png.image?.source;
  assert.equal(source?.$case, "encoded");
  if (source?.$case === "encoded") assert.equal(png.digest, `sha256:${createHash("sha256").update(source.value).digest("hex")}`);
});
