import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateExample, rasterizeSvg, seedsOfSplit } from "@sketchvl/chartworld";
import { decodeImage, drawActions, PatchedImage, type RasterImage } from "@sketchvl/drawing";
import { ortFeeds } from "@sketchvl/prm-model";
import * as ort from "onnxruntime-node";
import { ModelRepository } from "../repository";
import { OnnxBackend } from "./onnx";
import { packSteps, unpackSteps } from "./stepMessages";
import type { PrmStep } from "./types";

const MODELS = resolve(__dirname, "..", "..", "..", "..", "models");

/** Expert steps of a few ChartWorld test charts, drawn as the renderer draws them (PatchedImages). */
async function chartWorldSteps(count: number): Promise<PrmStep[]> {
  const steps: PrmStep[] = [];
  for (const seed of seedsOfSplit("test")) {
    const example = await generateExample(seed, { questionsPerChart: 1 });
    if (!example) continue;
    let image: RasterImage = await decodeImage(await rasterizeSvg(example.chart.svg), { maxPixels: 1e8, maxBytes: 1e9 });
    for (const [j, s] of example.trajectories[0].steps.entries()) {
      const next = await drawActions(image, [s.action]);
      steps.push({ id: `${seed}:${j}`, intent: s.intent, action: s.action, before: image, after: next, reference: undefined });
      image = next;
    }
    if (steps.length >= count) return steps.slice(0, count);
  }
  throw new Error("not enough ChartWorld steps");
}

describe("OnnxBackend (model instances on worker threads)", () => {
  let steps: PrmStep[];
  let backend: OnnxBackend;
  let expected: Float32Array;
  let load: () => Promise<OnnxBackend>;

  before(async () => {
    steps = await chartWorldSteps(24);
    const repository = new ModelRepository(MODELS);
    const entry = repository.resolve("finepr", "");
    const config = repository.config(entry);
    assert.equal(config.backend, "onnx");
    if (config.backend !== "onnx") return;
    load = () => OnnxBackend.load(entry.dir, config, 1);
    backend = await OnnxBackend.load(entry.dir, config, 2);
    // The same model run in this thread on the same steps.
    const session = await ort.InferenceSession.create(join(entry.dir, "model.onnx"));
    expected = (await session.run(ortFeeds(steps)))[config.output].data as Float32Array;
    await session.release();
  });

  after(() => backend?.close());

  it("scores exactly as the model run in-process, batches spread over both instances at once", async () => {
    const batches = [steps.slice(0, 6), steps.slice(6, 12), steps.slice(12, 18), steps.slice(18)];
    const results = (await Promise.all(batches.map((b) => backend.score(b)))).flat();
    assert.equal(results.length, steps.length);
    results.forEach((p, i) => {
      assert.deepEqual([...p], [...expected.subarray(i * 4, i * 4 + 4)], `step ${i}`);
    });
  });

  it("ships each root once and keeps the identities the encoder relies on", () => {
    assert.ok(steps.some((s) => s.after instanceof PatchedImage && s.before instanceof PatchedImage));
    const message = packSteps(steps.slice(0, 8));
    const charts = new Set(steps.slice(0, 8).map((s) => (s.before instanceof PatchedImage ? s.before.root : s.before)));
    assert.equal(message.roots.length, charts.size);
    assert.ok(message.roots.every((r) => r.pixels.buffer instanceof SharedArrayBuffer));
    const unpacked = unpackSteps(structuredClone(message));
    for (let j = 1; j < unpacked.length; j++) {
      if (steps[j].before === steps[j - 1].after) assert.equal(unpacked[j].before, unpacked[j - 1].after, `step ${j}: before is the previous after`);
    }
    unpacked.forEach((s, j) => {
      assert.ok(s.after.pixels.equals(steps[j].after.pixels), `step ${j}: same after pixels`);
    });
    // The next batch on the same charts: the worker reuses its roots (the encoder's per-chart cache
    // is keyed on them).
    const rootOf = (s: (typeof unpacked)[number]) => (s.before instanceof PatchedImage ? s.before.root : s.before);
    const again = unpackSteps(structuredClone(packSteps(steps.slice(0, 8))));
    for (const [j, s] of again.entries()) assert.equal(rootOf(s), rootOf(unpacked[j]), `step ${j}: the same root object in the next batch`);
  });

  it("refuses work once closed", async () => {
    const other = await load();
    await other.close();
    await assert.rejects(other.score(steps.slice(0, 1)), /unloaded/);
  });
});
