// The PyTorch trainer (train/*.py) under `npm test`: its unittest suite, and a tiny run end to end on
// real encoded ChartWorld steps (dataset.ts folders → train/main.py → model.onnx), whose export
// onnxruntime-node must load and agree with PyTorch on. Also the shipped model's contract.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { splitOfSeed } from "@sketchvl/chartworld";
import * as ort from "onnxruntime-node";
import { buildDataset, perStep, readDataset } from "./dataset";
import { FEATURE_SET, INPUTS, LABELS } from "./features";
import { OUTPUT_NAME, readConfig } from "./modelFiles";
import { ortFeeds } from "./ortFeeds";
import { PYTHON, runPython, TRAIN_DIR, trainInPython } from "./pythonTrain";
import { realSteps } from "./testFixtures";

const work = mkdtempSync(join(tmpdir(), "finepr-python-test-"));
after(() => rmSync(work, { recursive: true, force: true }));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("PRM training in PyTorch (train/)", () => {
  it("passes its unittest suite", async () => {
    let output = "";
    await runPython(["-c", "import torch, numpy, onnx"], (l) => (output += `${l}\n`)).catch((err: Error) =>
      assert.fail(`${PYTHON} needs Debian's python3-torch, python3-numpy, python3-onnx: ${err.message}`),
    );
    await runPython(["-m", "unittest", "discover", "-s", "tests", "-t", "tests"], (l) => (output += `${l}\n`), TRAIN_DIR).catch((err: Error) =>
      assert.fail(`python unittest failed: ${err.message}\n${output}`),
    );
  });

  it("a tiny run on real encoded steps lowers the loss; model.onnx loads in onnxruntime-node and matches PyTorch within 1e-5", async () => {
    const root = join(work, "data");
    const train = await buildDataset({ split: "train", count: 48, root });
    const test = await buildDataset({ split: "test", count: 24, root });
    const out = join(work, "run");
    const { report, onnx, testProbs } = await trainInPython({
      train: [train.dir],
      validation: test.dir,
      test: test.dir,
      out,
      seed: 3,
      epochs: 6,
      batchSize: 16,
      lr: 3e-3,
      weightDecay: 1e-4,
      warmupSteps: 1,
      threads: 1,
      channels: [4, 8],
      hidden: [16],
    });
    assert.equal(report.history.length, 6);
    assert.ok(report.history[5].loss < report.history[0].loss, `loss ${report.history.map((h) => h.loss.toFixed(3)).join(" → ")}`);
    assert.equal(report.architecture.towers.map((t) => t.input).join(), "local,context,ends");
    assert.ok(testProbs && testProbs.length === 24 * LABELS.length);

    const session = await ort.InferenceSession.create(onnx);
    try {
      assert.deepEqual(
        session.inputNames,
        INPUTS.map((i) => i.name),
      );
      assert.deepEqual(session.outputNames, [OUTPUT_NAME]);
      const data = readDataset(test.dir);
      const feeds = (start: number, n: number): Record<string, ort.Tensor> =>
        Object.fromEntries(
          INPUTS.map((i) => [
            i.name,
            new ort.Tensor("float32", data.inputs[i.name].slice(start * perStep(i.name), (start + n) * perStep(i.name)), [n, ...i.shape]),
          ]),
        );
      const all = (await session.run(feeds(0, 24)))[OUTPUT_NAME];
      assert.deepEqual(all.dims, [24, 4]);
      const diff = maxAbsDiff(all.data as Float32Array, testProbs);
      assert.ok(diff <= 1e-5, `ONNX Runtime vs PyTorch: max |Δp| = ${diff}`);
      const one = (await session.run(feeds(7, 1)))[OUTPUT_NAME];
      assert.ok(maxAbsDiff(one.data as Float32Array, testProbs.subarray(28, 32)) <= 1e-5, "batch of 1");
    } finally {
      await session.release();
    }
  });
});

const SHIPPED = join(__dirname, "..", "..", "..", "models", "finepr", "2");

it("the shipped model: config contract, and it scores held-out test steps through ortFeeds", {
  skip: !existsSync(join(SHIPPED, "model.onnx")) && "models/finepr/2 not built",
}, async () => {
  const config = readConfig(SHIPPED);
  assert.equal(config.backend, "onnx");
  assert.equal(config.features, FEATURE_SET);
  assert.deepEqual(
    config.inputs,
    INPUTS.map((i) => i.name),
  );
  assert.deepEqual(config.inputShapes, Object.fromEntries(INPUTS.map((i) => [i.name, ["batch", ...i.shape]])));
  assert.equal(config.output, OUTPUT_NAME);
  assert.deepEqual(config.labels, [...LABELS]);
  assert.equal(config.trained.split, "train");
  assert.equal(config.eval?.split, "test");
  assert.ok(typeof config.trained.seed === "number" && typeof config.trained.samples === "number" && config.trained.command.includes("train"));
  const { samples, steps } = await realSteps("test", 40);
  assert.ok(samples.every((s) => splitOfSeed(s.chartSeed) === "test"));
  const session = await ort.InferenceSession.create(join(SHIPPED, "model.onnx"));
  try {
    const out = (await session.run(ortFeeds(steps)))[OUTPUT_NAME];
    assert.deepEqual(out.dims, [40, 4]);
    const p = out.data as Float32Array;
    for (let i = 0; i < 40; i++) assert.ok(Math.abs(p[4 * i] + p[4 * i + 1] + p[4 * i + 2] + p[4 * i + 3] - 1) < 1e-5, `row ${i} sums to 1`);
    // Better than chance on these 40 steps (the full test split is scored by `cli.js eval`).
    let right = 0;
    samples.forEach((s, i) => {
      const row = [...p.subarray(4 * i, 4 * i + 4)];
      if (row.indexOf(Math.max(...row)) === LABELS.indexOf(s.label)) right++;
    });
    assert.ok(right >= 24, `${right}/40 exact`);
  } finally {
    await session.release();
  }
});
