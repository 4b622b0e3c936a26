import { test } from "node:test";
import assert from "node:assert/strict";
import { crc32 } from "node:zlib";
import sharp from "sharp";
import { InvalidArgumentError } from "@sketchvl/errors";
import { decodeImage, digestOf, encodePng, rasterFromRaw } from "./images";

const LIMITS = { maxPixels: 4_000_000, maxBytes: 10_000_000 };
const invalid = (field: string, text: string) => (e: unknown) => e instanceof InvalidArgumentError && e.field === field && e.description.includes(text);

async function solid(width: number, height: number, color: { r: number; g: number; b: number; alpha?: number }, format: "png" | "jpeg" | "webp" = "png") {
  const channels = color.alpha === undefined ? 3 : 4;
  return sharp({ create: { width, height, channels, background: color } })
    [format]()
    .toBuffer();
}

test("decodes PNG, JPEG and WebP to RGB", async () => {
  for (const format of ["png", "jpeg", "webp"] as const) {
    const img = await decodeImage(await solid(40, 30, { r: 10, g: 200, b: 30 }, format), LIMITS);
    assert.equal(img.width, 40);
    assert.equal(img.height, 30);
    assert.equal(img.channels, 3);
    assert.equal(img.pixels.length, 40 * 30 * 3);
    assert.ok(Math.abs(img.pixels[1] - 200) <= 3, `${format}: green ${img.pixels[1]}`);
  }
});

test("alpha is flattened onto white", async () => {
  const img = await decodeImage(await solid(4, 4, { r: 0, g: 0, b: 0, alpha: 0 }), LIMITS);
  assert.deepEqual([...img.pixels.subarray(0, 3)], [255, 255, 255]);
  const half = rasterFromRaw({ width: 1, height: 1, channels: 4, pixels: Buffer.from([0, 0, 0, 128]) }, LIMITS);
  assert.equal(half.channels, 3);
  assert.deepEqual([...half.pixels], [127, 127, 127]);
});

test("grayscale images become RGB", async () => {
  const png = await sharp({ create: { width: 3, height: 2, channels: 3, background: { r: 90, g: 90, b: 90 } } })
    .grayscale()
    .png()
    .toBuffer();
  const img = await decodeImage(png, LIMITS);
  assert.equal(img.channels, 3);
  assert.equal(img.pixels.length, 3 * 2 * 3);
});

test("rejects empty, garbage, oversized, too many pixels, and non-raster formats", async () => {
  await assert.rejects(decodeImage(Buffer.alloc(0), LIMITS), invalid("image", "empty"));
  await assert.rejects(decodeImage(Buffer.from("definitely not an image"), LIMITS), invalid("image", "not a PNG"));
  const png = await solid(50, 50, { r: 1, g: 2, b: 3 });
  // A valid header with a truncated body.
  await assert.rejects(decodeImage(png.subarray(0, 40), LIMITS), invalid("image", "image"));
  await assert.rejects(decodeImage(png, { maxPixels: LIMITS.maxPixels, maxBytes: png.length - 1 }), invalid("image", "bytes; the limit"));
  await assert.rejects(decodeImage(png, { maxPixels: 2499, maxBytes: LIMITS.maxBytes }), invalid("image", "2500 pixels; the limit is 2499"));
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
  await assert.rejects(decodeImage(svg, LIMITS), invalid("image", "not a PNG"));
});

/** A small PNG whose IHDR claims width×height (CRC fixed up): what a decompression bomb looks like to a header reader. */
async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(await solid(8, 8, { r: 255, g: 255, b: 255 }));
  // Signature (8) + length (4) + "IHDR" (4) → width at 16, height at 20, CRC after 13 data bytes.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

test("a decompression bomb is refused from its header, before decoding", async () => {
  const bomb = await pngClaiming(20000, 20000);
  assert.ok(bomb.length < 200);
  await assert.rejects(decodeImage(bomb, LIMITS), invalid("image", "20000x20000 = 400000000 pixels; the limit is 4000000"));
});

test("rasterFromRaw validates sizes and channels", () => {
  const ok = rasterFromRaw({ width: 2, height: 2, channels: 3, pixels: Buffer.alloc(12) }, LIMITS);
  assert.equal(ok.pixels.length, 12);
  assert.throws(() => rasterFromRaw({ width: 2, height: 2, channels: 3, pixels: Buffer.alloc(11) }, LIMITS), invalid("raw.pixels", "needs 12 bytes, got 11"));
  assert.throws(() => rasterFromRaw({ width: 2, height: 2, channels: 1, pixels: Buffer.alloc(4) }, LIMITS), invalid("raw.channels", "3 or 4"));
  assert.throws(() => rasterFromRaw({ width: 0, height: 2, channels: 3, pixels: Buffer.alloc(0) }, LIMITS), invalid("raw.width", "positive"));
  assert.throws(() => rasterFromRaw({ width: 3000, height: 3000, channels: 3, pixels: Buffer.alloc(0) }, LIMITS), invalid("raw", "pixels; the limit"));
});

test("PNG encoding round-trips and is deterministic", async () => {
  const pixels = Buffer.alloc(64 * 48 * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7) % 251;
  const img = { width: 64, height: 48, channels: 3 as const, pixels };
  const a = await encodePng(img);
  const b = await encodePng({ ...img, pixels: Buffer.from(pixels) });
  assert.deepEqual(a, b);
  assert.equal(digestOf(a), digestOf(b));
  assert.match(digestOf(a), /^sha256:[0-9a-f]{64}$/);
  const back = await decodeImage(a, LIMITS);
  assert.deepEqual(back.pixels, pixels);
});
