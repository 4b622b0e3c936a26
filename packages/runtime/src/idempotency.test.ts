import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "@sketchvl/errors";
import { IdempotencyCache } from "./idempotency";

const bytes = (s: string) => Buffer.from(s);

describe("IdempotencyCache", () => {
  it("computes once per id, also when the retry arrives while the first is still running", async () => {
    const cache = new IdempotencyCache<number>({ maxEntries: 10 });
    let calls = 0;
    const compute = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      return 42;
    };
    const [a, b] = await Promise.all([cache.run("r1", bytes("x"), compute), cache.run("r1", bytes("x"), compute)]);
    assert.deepEqual([a, b, calls], [42, 42, 1]);
    assert.equal(await cache.run("r1", bytes("x"), compute), 42);
    assert.equal(calls, 1);
  });

  it("refuses a known id with a different request, naming request_id", async () => {
    const cache = new IdempotencyCache<number>({ maxEntries: 10 });
    await cache.run("r1", bytes("x"), async () => 1);
    await assert.rejects(
      cache.run("r1", bytes("y"), async () => 2),
      (e: unknown) => e instanceof InvalidArgumentError && e.field === "request_id",
    );
  });

  it("forgets failures so a retry computes again, and never remembers empty ids", async () => {
    const cache = new IdempotencyCache<number>({ maxEntries: 10 });
    await assert.rejects(cache.run("r1", bytes("x"), async () => Promise.reject(new Error("down"))));
    assert.equal(await cache.run("r1", bytes("x"), async () => 7), 7);
    let calls = 0;
    await cache.run("", bytes("x"), async () => ++calls);
    await cache.run("", bytes("x"), async () => ++calls);
    assert.equal(calls, 2);
  });

  it("stays within its byte budget, forgetting the oldest answers first", async () => {
    const cache = new IdempotencyCache<string>({ maxEntries: 100, maxBytes: 10, sizeOf: (s) => s.length });
    await cache.run("a", bytes("a"), async () => "aaaaaa");
    await cache.run("b", bytes("b"), async () => "bbbbbb");
    let recomputed = false;
    await cache.run("a", bytes("a"), async () => {
      recomputed = true;
      return "aaaaaa";
    });
    assert.ok(recomputed, "a was forgotten to keep 12 bytes under 10");
    recomputed = false;
    await cache.run("a", bytes("a"), async () => {
      recomputed = true;
      return "aaaaaa";
    });
    assert.ok(!recomputed, "the newest answer stays");
  });

  it("counts request ids in its byte budget: long ids cannot grow it, finished or still running", async () => {
    const cache = new IdempotencyCache<number>({ maxEntries: 1_000_000, maxBytes: 64 * 1024, sizeOf: () => 8 });
    const never = new Promise<number>(() => undefined);
    for (let i = 0; i < 200; i++) void cache.run(`${i}:${"x".repeat(4096)}`, bytes("x"), () => never);
    for (let i = 0; i < 200; i++) await cache.run(`done-${i}:${"y".repeat(4096)}`, bytes("x"), async () => i);
    const held = cache as unknown as { entries: Map<string, unknown>; bytes: number };
    assert.ok(held.bytes <= 64 * 1024, `${held.bytes} bytes held`);
    assert.ok(held.entries.size <= 8, `${held.entries.size} entries of 8 KiB each`);
  });

  it("stays within its capacity", async () => {
    const cache = new IdempotencyCache<number>({ maxEntries: 2 });
    for (const id of ["a", "b", "c"]) await cache.run(id, bytes(id), async () => 1);
    let recomputed = false;
    await cache.run("a", bytes("a"), async () => {
      recomputed = true;
      return 1;
    });
    assert.ok(recomputed, "the oldest id was forgotten");
  });
});
