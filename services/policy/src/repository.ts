// The policy's model repository: <root>/<model>/<version>/config.json, read by
// packages/model-repository (names checked, nothing read outside the root), with one config.json
// schema per backend: `onnx` (the built-in policy, as the learner exports it; packages/policy-model
// owns that schema) and `openai-compatible` (a vLLM / SGLang server).
import { ModelRepository } from "@sketchvl/model-repository";
import { onnxPolicyConfigSchema, policyDefaultsSchema } from "@sketchvl/policy-model";
import { remoteEndpointFields } from "@sketchvl/runtime";
import { z } from "zod";

export const onnxConfigSchema = onnxPolicyConfigSchema.extend({
  /** Most rows decoding at once on this version (every group's); more wait for a place. */
  maxBatchRows: z.number().int().positive().default(256),
});

export const openAiConfigSchema = z.object({
  backend: z.literal("openai-compatible"),
  ...remoteEndpointFields,
  defaults: policyDefaultsSchema.default({ maxTurns: 6, maxTokensPerTurn: 256 }),
  /** Extra stop strings that end a turn (the end of the assistant message always does). */
  stop: z.array(z.string()).default([]),
  /** A system message before the prompt, if the model wants one. */
  systemPrompt: z.string().optional(),
  /** Ask for token ids (vLLM's return_tokens_as_token_ids: tokens come as "token_id:<n>"). */
  tokenIds: z.boolean().default(true),
  /** The id recorded for the image marker between turns (the model's own image token, if any). */
  imageTokenId: z.number().int().nonnegative().default(0),
});

export const policyConfigSchema = z.discriminatedUnion("backend", [onnxConfigSchema, openAiConfigSchema]);

export type PolicyConfig = z.output<typeof policyConfigSchema>;
export type OnnxConfig = z.output<typeof onnxConfigSchema>;
export type OpenAiConfig = z.output<typeof openAiConfigSchema>;

export function policyRepository(root: string): ModelRepository<PolicyConfig> {
  return new ModelRepository(root, policyConfigSchema);
}
