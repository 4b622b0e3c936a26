import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { hash32, Rng } from "./index";

/** The trainer's former seed hash, byte for byte: FNV-1a over Buffer's UTF-8, then fmix32. */
function referenceHash(seed: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(seed, "utf8")) h = Math.imul(h ^ b, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

test("strings hash as FNV-1a over their UTF-8 bytes, non-ASCII and lone surrogates included", () => {
  fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => assert.equal(hash32(s), referenceHash(s))));
  for (const s of ["", "abc", "é", "图表", "😀", "\ud800x", "x\udc00"]) assert.equal(hash32(s), referenceHash(s), JSON.stringify(s));
});

test("pinned streams: ChartWorld's (seed, purpose) and a request id, as before the two copies merged", () => {
  // Numbers: both 32-bit halves mixed (ChartWorld's chart seeds); strings: the trainer's request ids.
  assert.equal(hash32(0), 0);
  assert.equal(hash32(""), 2872998923);
  assert.equal(hash32("abc"), 482950588);
  const r = new Rng(0); // hash 0 → mulberry32's weak zero state is replaced
  assert.notEqual(r.next(), new Rng(0, "x").next());
  const abc = new Rng("abc");
  assert.deepEqual(
    [abc.next(), abc.next(), abc.next()].map((x) => (1 + 3 * x).toFixed(12)),
    ["1.170328949112", "3.290667840978", "3.251566376537"],
  );
});

test("a purpose gives an independent stream; the same (seed, purpose) the same one", () => {
  const a = new Rng(7, "questions");
  const b = new Rng(7, "questions");
  const c = new Rng(7, "noise");
  const xs = [a.next(), a.next()];
  assert.deepEqual(xs, [b.next(), b.next()]);
  assert.notDeepEqual(xs, [c.next(), c.next()]);
});

test("helpers stay in range", () => {
  const rng = new Rng("range");
  for (let i = 0; i < 1000; i++) {
    const x = rng.int(3, 5);
    assert.ok(Number.isInteger(x) && x >= 3 && x <= 5);
    const f = rng.float(-1, 1);
    assert.ok(f >= -1 && f < 1);
  }
  assert.deepEqual(rng.shuffle([1, 2, 3, 4]).sort(), [1, 2, 3, 4]);
  assert.throws(() => rng.pick([]));
});
