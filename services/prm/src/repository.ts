// The PRM's model repository: <root>/<model>/<version>/config.json (+ model.onnx for the onnx
// backend), as packages/model-repository reads it (names checked, nothing read outside the root),
// with the PRM's backends as config.json's schema.
import { type ModelEntry, ModelRepository as Repository } from "@sketchvl/model-repository";
import { remoteEndpointFields } from "@sketchvl/runtime";
import { z } from "zod";

const batching = z
  .object({
    maxBatchSize: z.number().int().positive(),
    maxQueueDelayMs: z.number().nonnegative(),
    maxQueueSize: z.number().int().positive(),
    instances: z.number().int().positive(),
  })
  .partial();

export const modelConfigSchema = z.discriminatedUnion("backend", [
  z.object({
    backend: z.literal("onnx"),
    /** The input encoding the model was trained with (packages/prm-model FEATURE_SET). */
    features: z.string(),
    output: z.string().default("probabilities"),
    /** ONNX Runtime execution providers in order of preference, e.g. ["cuda", "cpu"]. */
    executionProviders: z.array(z.string()).default(["cpu"]),
    /**
     * ONNX Runtime threads within one batch, per instance (0: one per core). 1 by default: a
     * FinePRM batch is too small to split, idle pool threads spin on cores the encoding needs, and
     * instances (--batch-instances) are what scales across cores.
     */
    intraOpThreads: z.number().int().nonnegative().default(1),
    batching: batching.optional(),
  }),
  z.object({ backend: z.literal("reference"), batching: batching.optional() }),
  z.object({ backend: z.literal("random"), seed: z.number().int().default(0), batching: batching.optional() }),
  z.object({
    backend: z.literal("remote-judge"),
    ...remoteEndpointFields,
    batching: batching.optional(),
  }),
]);

export type ModelConfig = z.output<typeof modelConfigSchema>;
export type { ModelEntry };

/** The shared repository (packages/model-repository) with the PRM's backends' config.json schema. */
export class ModelRepository extends Repository<ModelConfig> {
  constructor(root: string) {
    super(root, modelConfigSchema);
  }
}
