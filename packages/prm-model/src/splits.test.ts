import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { splitOfSeed } from "@sketchvl/chartworld";
import { buildDataset, perStep, readDataset, SHARD_SIZE, shardsOf } from "./dataset";
import { INPUTS, LABELS, META_FEATURES, prepareBatch } from "./features";
import { PATCH_CHANNELS } from "./patches";
import { realSteps } from "./testFixtures";

const root = mkdtempSync(join(tmpdir(), "finepr-splits-"));
after(() => rmSync(root, { recursive: true, force: true }));

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
  const train = readDataset((await buildDataset({ split: "train", count: 40, root })).dir);
  const test = readDataset((await buildDataset({ split: "test", count: 40, root })).dir);
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

test("dataset folders: rows are prepareBatch's tensors, jittered copies follow, workers change no byte; cached on the second call", async () => {
  const n = 12;
  const plain = await buildDataset({ split: "train", count: n, copies: 2, root: join(root, "w0") });
  const threaded = await buildDataset({ split: "train", count: n, copies: 2, workers: 2, root: join(root, "w2") });
  assert.equal(plain.fromCache, false);
  for (const f of ["local.npy", "context.npy", "ends.npy", "meta.npy", "labels.npy", "types.npy", "chart_seeds.npy", "info.json"]) {
    assert.ok(readFileSync(join(plain.dir, f)).equals(readFileSync(join(threaded.dir, f))), `${f}: same bytes with 0 and 2 workers`);
  }
  assert.equal((await buildDataset({ split: "train", count: n, copies: 2, root: join(root, "w0") })).fromCache, true);
  const data = readDataset(plain.dir);
  assert.equal(data.count, 2 * n);
  assert.deepEqual([...data.labels.subarray(n)], [...data.labels.subarray(0, n)]);
  // Rows 0..n-1 are exactly what the serving encoder computes for the same steps.
  const { steps } = await realSteps("train", n);
  const batch = prepareBatch(steps);
  for (const { name } of INPUTS) {
    const per = batch[name].data.length / n;
    assert.deepEqual(data.inputs[name].subarray(0, n * per), batch[name].data, `${name}: rows = prepareBatch`);
    const copy = data.inputs[name].subarray(n * per, 2 * n * per);
    if (name === "meta") assert.deepEqual(copy, batch.meta.data, "a jittered copy keeps its meta");
    else assert.notDeepEqual(copy, batch[name].data, `${name}: the copies' windows are jittered`);
  }
});

test("a no-mark dataset: the same samples encoded with nothing drawn (change channels 0, the rest as drawn), all unacceptable", async () => {
  const n = 8;
  const drawn = readDataset((await buildDataset({ split: "train", count: n, root: join(root, "nm") })).dir);
  const blank = readDataset((await buildDataset({ split: "train", count: n, noMark: true, root: join(root, "nm") })).dir);
  assert.deepEqual([...blank.labels], new Array(n).fill(LABELS.indexOf("unacceptable")));
  assert.deepEqual(blank.noise, new Array(n).fill("no-mark"));
  assert.deepEqual(blank.chartSeeds, drawn.chartSeeds);
  assert.deepEqual(blank.inputs.meta, drawn.inputs.meta, "meta reads the before image, the action and the intent only");
  for (const name of ["local", "context", "ends"] as const) {
    const per = perStep(name);
    const plane = per / (name === "ends" ? 2 * PATCH_CHANNELS : PATCH_CHANNELS);
    let changed = 0;
    for (let k = 0; k < n * per; k++) {
      const channel = Math.floor(k / plane) % PATCH_CHANNELS;
      if (channel === 3) {
        assert.equal(blank.inputs[name][k], 0, `${name}: no change`);
        if (drawn.inputs[name][k] > 0) changed++;
      } else assert.equal(blank.inputs[name][k], drawn.inputs[name][k], `${name}: before-image channels as drawn`);
    }
    assert.ok(changed > 0, `${name}: the drawn rows do show their marks`);
  }
});
