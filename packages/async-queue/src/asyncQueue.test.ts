import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AsyncQueue } from "./asyncQueue";

describe("AsyncQueue", () => {
  it("yields pushed items in push order, including ones pushed while the reader waits, then ends", async () => {
    const q = new AsyncQueue<number>();
    q.push(1);
    setTimeout(() => {
      q.push(2);
      q.push(3);
      q.end();
    }, 10);
    const seen: number[] = [];
    for await (const x of q) seen.push(x);
    assert.deepEqual(seen, [1, 2, 3]);
  });

  it("throws a failure after the buffered items", async () => {
    const q = new AsyncQueue<number>();
    q.push(1);
    q.fail(new Error("upstream broke"));
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const x of q) seen.push(x);
    }, /upstream broke/);
    assert.deepEqual(seen, [1]);
  });
});
