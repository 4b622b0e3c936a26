import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NotFoundError } from "@sketchvl/runtime/errors";
import type { RasterImage } from "./images";
import { ImageStore } from "./imageStore";
import { PatchedImage } from "./patches";

const image = (bytes: number): RasterImage => ({ width: bytes / 3, height: 1, channels: 3, pixels: Buffer.alloc(bytes) });

describe("ImageStore", () => {
  it("returns what was put, and NOT_FOUND naming the field for unknown digests", () => {
    const store = new ImageStore(1000);
    const img = image(300);
    store.put("sha256:a", img);
    assert.equal(store.get("sha256:a", "image.digest"), img);
    assert.throws(() => store.get("sha256:b", "base_image.digest"), (e: unknown) => e instanceof NotFoundError && e.field === "base_image.digest");
  });

  it("stays within its byte bound, evicting the least recently used first", () => {
    const store = new ImageStore(900);
    store.put("a", image(300));
    store.put("b", image(300));
    store.put("c", image(300));
    store.get("a", "x"); // a is now most recent; b is oldest
    store.put("d", image(300));
    assert.deepEqual(store.stats(), { images: 3, bytes: 900, evictions: 1 });
    assert.throws(() => store.get("b", "x"), NotFoundError);
    for (const kept of ["a", "c", "d"]) assert.ok(store.get(kept, "x"));
  });

  it("does not store an image larger than the whole store", () => {
    const store = new ImageStore(100);
    store.put("big", image(300));
    assert.deepEqual(store.stats(), { images: 0, bytes: 0, evictions: 0 });
  });

  it("counts patched images by their regions, their shared root once, and their pixels once read", () => {
    // (read anywhere: encoding it as PNG, drawing on it, a judge backend)
    const root = image(3000);
    const patched = (n: number) => new PatchedImage(root, [{ left: 0, top: 0, width: n / 3, height: 1, pixels: Buffer.alloc(n) }]);
    const store = new ImageStore(10_000);
    store.put("a", patched(30));
    store.put("b", patched(60));
    assert.deepEqual(store.stats(), { images: 2, bytes: 3000 + 30 + 60, evictions: 0 });
    const read = store.get("a", "x") as PatchedImage;
    assert.equal(read.pixels.length, 3000); // materialized by reading: counted at once
    assert.equal(store.stats().bytes, 3000 + 30 + 3000 + 60);
    // Evicting the images that share the root gives its bytes back with the last of them.
    store.put("c", image(6000));
    assert.deepEqual(store.stats(), { images: 1, bytes: 6000, evictions: 2 });
  });
});
