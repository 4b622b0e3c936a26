import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BatchCache } from "./kvCache";

const shape = { layers: 2, heads: 2, headDim: 3 };
/** A value that says where an entry came from: row tag, layer·2+k, head, token. */
const value = (tag: number, lk: number, h: number, token: number, d: number) => tag * 10000 + lk * 1000 + h * 100 + token * 10 + d;

/** What decoder.onnx would return as present_kv: the cache plus one new entry per row (tagged by row, token `t`). */
function present(cache: BatchCache, tags: number[], tokens: number[]): Float32Array {
  const { layers, heads, headDim: D } = shape;
  const B = cache.rows;
  const P = cache.columns;
  const out = new Float32Array(layers * 2 * B * heads * (P + 1) * D);
  for (let lk = 0; lk < layers * 2; lk++)
    for (let b = 0; b < B; b++)
      for (let h = 0; h < heads; h++) {
        const from = ((lk * B + b) * heads + h) * P * D;
        const to = ((lk * B + b) * heads + h) * (P + 1) * D;
        out.set(cache.data.subarray(from, from + P * D), to);
        for (let d = 0; d < D; d++) out[to + P * D + d] = value(tags[b], lk, h, tokens[b], d);
      }
  return out;
}

/** A row's entries as (token) numbers, from a packed RowCache of layer 1·2+1, head 1. */
function tokensOf(data: Float32Array, length: number): number[] {
  const D = shape.headDim;
  const from = (3 * shape.heads + 1) * length * D;
  return Array.from({ length }, (_, p) => Math.floor((data[from + p * D] % 100) / 10));
}

describe("BatchCache", () => {
  it("masks columns where a row sat out, and packs a row's real entries when it leaves", () => {
    const cache = new BatchCache(shape);
    cache.rebuild([undefined, undefined]);
    assert.deepEqual([cache.rows, cache.columns], [2, 0]);
    // Step 1: both rows feed; step 2: only row 0; step 3: both.
    const steps: Array<[number, number]> = [
      [1, 1],
      [1, 0],
      [1, 1],
    ];
    steps.forEach(([a, b], t) => {
      const current = Uint8Array.from([a, b]);
      const mask = cache.attentionMask(current);
      assert.equal(mask.length, 2 * (t + 1));
      assert.deepEqual([mask[t], mask[2 * (t + 1) - 1]], [a, b], "the current column says who feeds");
      cache.append(present(cache, [1, 2], [t + 1, t + 1]), current);
    });
    assert.deepEqual([...cache.attentionMask(Uint8Array.from([1, 1]))], [1, 1, 1, 1, 1, 0, 1, 1]);
    assert.deepEqual([cache.length(0), cache.length(1)], [3, 2]);
    const row1 = cache.extract(1);
    assert.equal(row1.length, 2);
    assert.deepEqual(tokensOf(row1.data, 2), [1, 3], "row 1's entries from steps 1 and 3, packed");
    // Tags survive: every value of row 1 came from row 1.
    assert.ok(row1.data.every((v) => Math.floor(v / 10000) === 2));
  });

  it("rebuilds from current rows and saved ones, each packed to the front", () => {
    const cache = new BatchCache(shape);
    cache.rebuild([undefined, undefined]);
    cache.append(present(cache, [1, 2], [1, 1]), Uint8Array.from([1, 1]));
    cache.append(present(cache, [1, 2], [2, 2]), Uint8Array.from([0, 1]));
    const saved = cache.extract(1);
    // Row 0 stays, a saved row (row 1's) joins, and a new empty row.
    cache.rebuild([{ batchRow: 0 }, { saved }, undefined]);
    assert.deepEqual([cache.rows, cache.columns], [3, 2]);
    assert.deepEqual([...cache.attentionMask(Uint8Array.from([1, 1, 1]))], [1, 0, 1, 1, 1, 1, 0, 0, 1]);
    assert.deepEqual(tokensOf(cache.extract(0).data, 1), [1]);
    assert.deepEqual(tokensOf(cache.extract(1).data, 2), [1, 2]);
    assert.ok(cache.extract(1).data.every((v) => Math.floor(v / 10000) === 2));
    assert.equal(cache.extract(2).length, 0);
  });
});
