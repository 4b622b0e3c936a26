import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { splitOfSeed } from "@sketchvl/chartworld";
import { onnx } from "onnx-proto";
import * as ort from "onnxruntime-node";
import { FEATURE_SET, INPUTS, LABELS, prepareBatch, type PrmStepInput } from "./features";
import { readConfig } from "./model-files";
import { ortFeeds } from "./ort-feeds";
import { initParams, Layout, predict, type InputArrays } from "./network";
import { exportOnnx, importOnnxParams, OPSET, OUTPUT_NAME } from "./onnx-export";
import { realSteps, smallArchitecture } from "./test-fixtures";

const STANDARD_OPS = new Set(["Conv", "Relu", "MaxPool", "Flatten", "Concat", "Gemm", "Softmax"]);

async function runOrt(bytes: Uint8Array, steps: PrmStepInput[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run(ortFeeds(steps));
    assert.deepEqual(out[OUTPUT_NAME].dims, [steps.length, 4]);
    return out[OUTPUT_NAME].data as Float32Array;
  } finally {
    await session.release();
  }
}

function tsForward(layout: Layout, params: Float32Array, steps: PrmStepInput[]): Float32Array {
  const batch = prepareBatch(steps);
  const inputs: InputArrays = Object.fromEntries(Object.entries(batch).map(([k, v]) => [k, v.data]));
  return predict(layout, params, inputs, steps.length);
}

function assertClose(a: Float32Array, b: Float32Array, tol: number): void {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  assert.ok(max <= tol, `max |Δ| = ${max}`);
}

test("the exported graph: standard ops, opset, names, dynamic batch; deterministic bytes", () => {
  const layout = new Layout(smallArchitecture());
  let s = 1;
  const params = initParams(layout, () => ((s = (s * 16807) % 2147483647) / 2147483647));
  const bytes = exportOnnx(layout, params);
  assert.deepEqual(Buffer.from(exportOnnx(layout, params)), Buffer.from(bytes));
  const model = onnx.ModelProto.decode(bytes);
  assert.ok(model.opsetImport.every((o) => Number(o.version) <= 17 && (o.domain ?? "") === ""));
  assert.equal(Number(model.opsetImport[0].version), OPSET);
  const graph = model.graph!;
  for (const n of graph.node ?? []) assert.ok(STANDARD_OPS.has(n.opType ?? ""), `op ${n.opType}`);
  assert.deepEqual((graph.input ?? []).map((i) => i.name), INPUTS.map((i) => i.name));
  assert.deepEqual((graph.output ?? []).map((o) => o.name), ["probabilities"]);
  for (const v of [...(graph.input ?? []), ...(graph.output ?? [])]) assert.equal(v.type?.tensorType?.shape?.dim?.[0].dimParam, "batch");
  assert.deepEqual(Buffer.from(importOnnxParams(bytes, layout).buffer), Buffer.from(params.buffer));
});

test("ONNX Runtime computes what the TypeScript forward pass computes (real steps, batch 1 and 40)", async () => {
  const { steps } = await realSteps("train", 40);
  const layout = new Layout(smallArchitecture());
  let s = 2;
  const params = initParams(layout, () => ((s = (s * 16807) % 2147483647) / 2147483647));
  // Bigger output weights than the default init, so the probabilities are far from uniform.
  const out = layout.dense[layout.dense.length - 1].w;
  for (let i = 0; i < out.size; i++) params[out.offset + i] *= 20;
  const bytes = exportOnnx(layout, params);
  const ref = tsForward(layout, params, steps);
  assertClose(await runOrt(bytes, steps), ref, 1e-4);
  assertClose(await runOrt(bytes, steps.slice(3, 4)), ref.subarray(12, 16), 1e-4);
  for (let i = 0; i < steps.length; i++) {
    const sum = ref[4 * i] + ref[4 * i + 1] + ref[4 * i + 2] + ref[4 * i + 3];
    assert.ok(Math.abs(sum - 1) < 1e-5);
  }
});

const SHIPPED = join(__dirname, "..", "..", "..", "models", "finepr", "2");

test("the shipped model: config contract, ONNX output = TypeScript forward on held-out test steps", { skip: !existsSync(join(SHIPPED, "model.onnx")) && "models/finepr/2 not built" }, async () => {
  const config = readConfig(SHIPPED);
  assert.equal(config.backend, "onnx");
  assert.equal(config.features, FEATURE_SET);
  assert.deepEqual(config.inputs, INPUTS.map((i) => i.name));
  assert.equal(config.output, "probabilities");
  assert.deepEqual(config.labels, [...LABELS]);
  assert.equal(config.trained.split, "train");
  assert.equal(config.eval?.split, "test");
  assert.ok(typeof config.trained.seed === "number" && typeof config.trained.samples === "number" && config.trained.command.includes("train"));
  const bytes = readFileSync(join(SHIPPED, "model.onnx"));
  assert.ok(bytes.length < 4 * 1024 * 1024, `model.onnx is ${bytes.length} bytes`);
  const layout = new Layout(config.trained.architecture);
  const params = importOnnxParams(bytes, layout);
  const { samples, steps } = await realSteps("test", 40);
  assert.ok(samples.every((s) => splitOfSeed(s.chartSeed) === "test"));
  assertClose(await runOrt(bytes, steps), tsForward(layout, params, steps), 1e-4);
});
