// config.json of a built-in policy version (models/<model>/<version>/), as the learner exports it.
import { z } from "zod";

export const policyArchitectureSchema = z.object({
  vocab_size: z.number().int().positive(),
  image_size: z.number().int().positive(),
  d_model: z.number().int().positive(),
  layers: z.number().int().positive(),
  heads: z.number().int().positive(),
  max_positions: z.number().int().positive(),
});

export type PolicyArchitecture = z.output<typeof policyArchitectureSchema>;

export const policyDefaultsSchema = z.object({
  maxTurns: z.number().int().min(1).max(8).default(8),
  maxTokensPerTurn: z.number().int().min(1).max(512).default(48),
});

export const onnxPolicyConfigSchema = z.object({
  backend: z.literal("onnx"),
  architecture: policyArchitectureSchema,
  defaults: policyDefaultsSchema.default({ maxTurns: 8, maxTokensPerTurn: 48 }),
  /** ONNX Runtime execution providers in order of preference, e.g. ["cuda", "cpu"]. */
  executionProviders: z.array(z.string()).default(["cpu"]),
  intraOpThreads: z.number().int().nonnegative().default(1),
});

export type OnnxPolicyConfig = z.output<typeof onnxPolicyConfigSchema>;
