import assert from "node:assert/strict";
import { test } from "node:test";
import { splitOfSeed } from "@sketchvl/chartworld";
import { buildDataset, SHARD_SIZE, shardsOf } from "./dataset";
import { META_FEATURES } from "./features";

test("shards: fixed sizes and seed offsets", () => {
  const s = shardsOf("train", 2 * SHARD_SIZE + 5);
  assert.deepEqual(
    s.map((x) => [x.count, x.offset, x.base]),
    [
      [SHARD_SIZE, 0, 0],
      [SHARD_SIZE, SHARD_SIZE, SHARD_SIZE],
      [5, 2 * SHARD_SIZE, 2 * SHARD_SIZE],
    ],
  );
});

test("train and test samples come from disjoint charts of their own split", async () => {
  const train = await buildDataset({ split: "train", count: 40 });
  const test = await buildDataset({ split: "test", count: 40 });
  assert.ok([...train.chartSeeds].every((s) => splitOfSeed(s) === "train"));
  assert.ok([...test.chartSeeds].every((s) => splitOfSeed(s) === "test"));
  const trainSeeds = new Set(train.chartSeeds);
  assert.ok(![...test.chartSeeds].some((s) => trainSeeds.has(s)), "no chart in both");
  // Labels keep ChartWorld's 2:4:3:1 ratio; the encoded arrays are filled.
  const counts = [0, 0, 0, 0];
  for (const l of train.labels) counts[l]++;
  assert.deepEqual(counts, [8, 16, 12, 4]);
  assert.equal(train.inputs.meta.length, 40 * META_FEATURES);
  for (let i = 0; i < 40; i++) assert.ok(train.inputs.meta.subarray(i * META_FEATURES, i * META_FEATURES + 7).includes(1), `sample ${i} is encoded`);
});
