import assert from "node:assert/strict";
import { describe, it } from "node:test";
import sharp from "sharp";
import { modelInput, tensorBytes } from "./modelInput";

describe("policy model input", () => {
  it("gives the same CHW [0,1] tensor from PNG bytes and from raw pixels", async () => {
    const width = 40;
    const height = 20;
    const raw = Buffer.alloc(width * height * 3);
    for (let i = 0; i < width * height; i++) raw.set([i % width < 20 ? 255 : 0, 0, 200], 3 * i);
    const png = await sharp(raw, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer();
    const fromPng = await modelInput({ png }, 8);
    const fromRaw = await modelInput({ raw, width, height, channels: 3 }, 8);
    assert.equal(fromPng.length, 3 * 8 * 8);
    assert.deepEqual(fromPng, fromRaw);
    assert.equal(fromPng[0], 1); // red plane, left half
    assert.equal(fromPng[7], 0); // red plane, right half
    assert.equal(fromPng[64], 0); // green plane
    assert.ok(Math.abs(fromPng[128] - 200 / 255) < 1e-6); // blue plane
    assert.equal(tensorBytes(fromPng).length, 4 * fromPng.length);
  });
});
