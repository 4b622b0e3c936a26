import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ResourceExhaustedError, UnavailableError } from "@sketchvl/errors";
import { DynamicBatcher, QueueWaitAborted } from "./batcher";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A model that doubles its inputs and records the batch sizes it saw. */
function doubling(delayMs = 5) {
  const sizes: number[] = [];
  const run = async (items: number[]) => {
    sizes.push(items.length);
    await sleep(delayMs);
    return items.map((x) => x * 2);
  };
  return { run, sizes };
}

describe("DynamicBatcher", () => {
  it("gathers concurrent requests into batches of at most maxBatchSize, each answered with its own result", async () => {
    const model = doubling();
    const batcher = new DynamicBatcher(model.run, { maxBatchSize: 8, maxQueueDelayMs: 20, maxQueueSize: 100 });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => batcher.submit(i)));
    assert.deepEqual(
      results,
      Array.from({ length: 20 }, (_, i) => i * 2),
    );
    assert.ok(model.sizes.every((s) => s <= 8));
    assert.equal(
      model.sizes.reduce((a, b) => a + b, 0),
      20,
    );
    assert.ok(model.sizes.length <= 4, `batched into ${model.sizes.join(",")}`);
    const stats = batcher.stats();
    assert.equal(stats.requests, 20);
    assert.equal(stats.batches, model.sizes.length);
  });

  it("runs up to `instances` batches at once, never more", async () => {
    let running = 0;
    let most = 0;
    const run = async (items: number[]) => {
      most = Math.max(most, ++running);
      await sleep(10);
      running--;
      return items;
    };
    const two = new DynamicBatcher(run, { maxBatchSize: 4, maxQueueDelayMs: 0, maxQueueSize: 100, instances: 2 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => two.submit(i)));
    assert.equal(most, 2);
    most = 0;
    const one = new DynamicBatcher(run, { maxBatchSize: 4, maxQueueDelayMs: 0, maxQueueSize: 100 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => one.submit(i)));
    assert.equal(most, 1);
  });

  it("with maxBatchSize 1 runs every request alone (batching off)", async () => {
    const model = doubling(1);
    const batcher = new DynamicBatcher(model.run, { maxBatchSize: 1, maxQueueDelayMs: 0, maxQueueSize: 100 });
    await Promise.all(Array.from({ length: 5 }, (_, i) => batcher.submit(i)));
    assert.deepEqual(model.sizes, [1, 1, 1, 1, 1]);
  });

  it("a lone request waits at most about maxQueueDelayMs", async () => {
    const batcher = new DynamicBatcher(doubling(0).run, { maxBatchSize: 64, maxQueueDelayMs: 15, maxQueueSize: 100 });
    const t0 = performance.now();
    assert.equal(await batcher.submit(21), 42);
    const waited = performance.now() - t0;
    assert.ok(waited >= 10 && waited < 200, `waited ${waited} ms`);
  });

  it("rejects at once with RESOURCE_EXHAUSTED when the queue is full, and serves the rest", async () => {
    const model = doubling(30);
    const batcher = new DynamicBatcher(model.run, { maxBatchSize: 2, maxQueueDelayMs: 0, maxQueueSize: 4 });
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => batcher.submit(i)));
    const rejected = outcomes.filter((o) => o.status === "rejected") as PromiseRejectedResult[];
    assert.ok(rejected.length > 0);
    for (const r of rejected) assert.ok(r.reason instanceof ResourceExhaustedError);
    assert.ok(outcomes.filter((o) => o.status === "fulfilled").length >= 4);
    assert.equal(batcher.stats().rejected, rejected.length);
  });

  it("drops a request whose caller gave up while it was queued; the model never sees it", async () => {
    const seen: number[] = [];
    const batcher = new DynamicBatcher(
      async (items: number[]) => {
        seen.push(...items);
        await sleep(30);
        return items;
      },
      { maxBatchSize: 1, maxQueueDelayMs: 0, maxQueueSize: 10 },
    );
    const first = batcher.submit(1); // runs at once and occupies the model
    const controller = new AbortController();
    const second = batcher.submit(2, controller.signal);
    controller.abort();
    await assert.rejects(second, QueueWaitAborted);
    assert.equal(await first, 1);
    await batcher.drain();
    assert.deepEqual(seen, [1]);
    assert.equal(batcher.stats().expired, 1);
  });

  it("drain finishes queued work and then refuses new work", async () => {
    const model = doubling(5);
    const batcher = new DynamicBatcher(model.run, { maxBatchSize: 4, maxQueueDelayMs: 50, maxQueueSize: 100 });
    const pending = Array.from({ length: 6 }, (_, i) => batcher.submit(i));
    await batcher.drain();
    assert.deepEqual(await Promise.all(pending), [0, 2, 4, 6, 8, 10]);
    await assert.rejects(batcher.submit(1), UnavailableError);
  });

  it("a failing batch fails each of its requests, and later batches still run", async () => {
    let calls = 0;
    const batcher = new DynamicBatcher(
      async (items: number[]) => {
        if (calls++ === 0) throw new Error("model crashed");
        return items;
      },
      { maxBatchSize: 10, maxQueueDelayMs: 5, maxQueueSize: 100 },
    );
    const failed = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    assert.ok(failed.every((f) => f.status === "rejected"));
    assert.equal(await batcher.submit(3), 3);
  });
});
