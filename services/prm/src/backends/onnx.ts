// FinePRM as an ONNX model run by onnxruntime-node. The input encoding belongs to the model
// (packages/prm-model: prepareBatch, FEATURE_SET) and must match the one its config names.
// CPU here; with a CUDA build of onnxruntime and "executionProviders": ["cuda", "cpu"] in the
// model's config.json, the same graph runs on the GPU.
import { join } from "node:path";
import { FEATURE_SET, prepareBatch } from "@sketchvl/prm-model";
import { FailedPreconditionError } from "@sketchvl/runtime/errors";
import * as ort from "onnxruntime-node";
import type { ModelConfig } from "../repository";
import type { LabelProbabilities, PrmStep, ScoringBackend } from "./types";

type OnnxConfig = Extract<ModelConfig, { backend: "onnx" }>;

export class OnnxBackend implements ScoringBackend {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly output: string,
  ) {}

  static async load(dir: string, config: OnnxConfig): Promise<OnnxBackend> {
    if (config.features !== FEATURE_SET) {
      throw new FailedPreconditionError(`model in ${dir} wants input encoding "${config.features}"; this service builds "${FEATURE_SET}"`);
    }
    const session = await ort.InferenceSession.create(join(dir, "model.onnx"), {
      executionProviders: config.executionProviders,
      intraOpNumThreads: config.intraOpThreads,
      graphOptimizationLevel: "all",
    });
    if (!session.outputNames.includes(config.output)) {
      throw new FailedPreconditionError(`model in ${dir} has no output "${config.output}" (has ${session.outputNames.join(", ")})`);
    }
    return new OnnxBackend(session, config.output);
  }

  async score(steps: readonly PrmStep[]): Promise<LabelProbabilities[]> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, { data, dims }] of Object.entries(prepareBatch(steps))) feeds[name] = new ort.Tensor("float32", data, dims);
    const result = await this.session.run(feeds, [this.output]);
    const probabilities = result[this.output].data as Float32Array;
    return steps.map((_, i) => [probabilities[i * 4], probabilities[i * 4 + 1], probabilities[i * 4 + 2], probabilities[i * 4 + 3]] as const);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
