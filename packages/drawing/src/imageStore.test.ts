import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NotFoundError } from "@sketchvl/errors";
import type { RasterImage } from "./images";
import { ENTRY_OVERHEAD as E, ImageStore, pinnedImages, REGION_OVERHEAD as R } from "./imageStore";
import { PatchedImage, patchedOn } from "./patches";

const image = (bytes: number): RasterImage => ({ width: bytes / 3, height: 1, channels: 3, pixels: Buffer.alloc(bytes) });
const KB = 30_000;

describe("ImageStore", () => {
  it("returns what was put, and NOT_FOUND naming the field for unknown digests", () => {
    const store = new ImageStore(10 * KB);
    const img = image(KB);
    store.put("sha256:a", img);
    assert.equal(store.get("sha256:a", "image.digest"), img);
    assert.throws(
      () => store.get("sha256:b", "base_image.digest"),
      (e: unknown) => e instanceof NotFoundError && e.field === "base_image.digest",
    );
  });

  it("stays within its byte bound, evicting the least recently used first", () => {
    const store = new ImageStore(3 * (KB + E));
    store.put("a", image(KB));
    store.put("b", image(KB));
    store.put("c", image(KB));
    store.get("a", "x"); // a is now most recent; b is oldest
    store.put("d", image(KB));
    assert.deepEqual(store.stats(), { images: 3, bytes: 3 * (KB + E), evictions: 1 });
    assert.throws(() => store.get("b", "x"), NotFoundError);
    for (const kept of ["a", "c", "d"]) assert.ok(store.get(kept, "x"));
  });

  it("does not store an image larger than the whole store", () => {
    const store = new ImageStore(100);
    store.put("big", image(300));
    assert.deepEqual(store.stats(), { images: 0, bytes: 0, evictions: 0 });
  });

  it("counts every pixel buffer once however many images share it, and full pixels once read", () => {
    // (read anywhere: encoding it as PNG, drawing on it, a judge backend)
    const root = image(3000);
    const region = (n: number) => ({ left: 0, top: 0, width: n / 3, height: 1, pixels: Buffer.alloc(n) });
    const first = new PatchedImage(root, [region(30)]);
    const second = patchedOn(first, [region(60)]) as PatchedImage; // shares root and first's region
    const store = new ImageStore(100_000);
    store.put("a", first);
    store.put("b", second);
    assert.deepEqual(store.stats(), { images: 2, bytes: 3000 + 30 + 60 + 2 * E + 3 * R, evictions: 0 });
    assert.equal((store.get("a", "x") as PatchedImage).pixels.length, 3000); // materialized: counted at once
    assert.equal(store.stats().bytes, 3000 + 30 + 60 + 3000 + 2 * E + 3 * R);
    // The root stored as an image of its own costs no more pixels.
    store.put("root", root);
    assert.equal(store.stats().bytes, 3000 + 30 + 60 + 3000 + 3 * E + 3 * R);
  });

  it("gives the shared buffers' bytes back with the last image holding them", () => {
    const root = image(9000);
    const store = new ImageStore(9000 + 2 * E + R + 300 + 1000);
    store.put("a", new PatchedImage(root, [{ left: 0, top: 0, width: 100, height: 1, pixels: Buffer.alloc(300) }]));
    store.put("c", image(9000)); // does not fit beside "a": "a" goes, and its root with it
    assert.deepEqual(store.stats(), { images: 1, bytes: 9000 + E, evictions: 1 });
  });

  it("pinnedImages: a request finds its own images even after the store evicted them", () => {
    const store = new ImageStore(KB + E);
    const pinned = pinnedImages(store);
    const mine = image(KB);
    pinned.put("mine", mine);
    store.put("other", image(KB)); // another request's image evicts it
    assert.throws(() => store.get("mine", "x"), NotFoundError);
    assert.equal(pinned.get("mine", "x"), mine);
  });
});
