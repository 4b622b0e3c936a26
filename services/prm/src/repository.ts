// The model repository, laid out as Triton's: <root>/<model>/<version>/config.json (+ model.onnx
// for the onnx backend). Versions are positive integers; the newest is the largest.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { FailedPreconditionError, NotFoundError } from "@sketchvl/runtime/errors";
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
    url: z.string().url(),
    model: z.string().min(1),
    apiKeyEnv: z.string().optional(),
    timeoutMs: z.number().int().positive().default(30_000),
    maxRetries: z.number().int().nonnegative().default(3),
    requestsPerSecond: z.number().positive().default(20),
    maxConcurrency: z.number().int().positive().default(16),
    batching: batching.optional(),
  }),
]);

export type ModelConfig = z.output<typeof modelConfigSchema>;

export interface ModelEntry {
  model: string;
  version: string;
  dir: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export class ModelRepository {
  constructor(readonly root: string) {}

  /** Every model version present, sorted by model then version. */
  list(): ModelEntry[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root)
      .filter((m) => NAME.test(m) && statSync(join(this.root, m)).isDirectory())
      .sort()
      .flatMap((model) => this.versions(model).map((version) => ({ model, version, dir: join(this.root, model, version) })));
  }

  versions(model: string): string[] {
    const dir = join(this.root, model);
    if (!NAME.test(model) || !existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((v) => /^[1-9][0-9]*$/.test(v) && existsSync(join(dir, v, "config.json")))
      .sort((a, b) => Number(a) - Number(b));
  }

  /** The entry for `version`, or the newest when it is empty. */
  resolve(model: string, version: string): ModelEntry {
    const versions = this.versions(model);
    if (versions.length === 0) throw new NotFoundError("model", `no model "${model}" in the repository ${this.root}`);
    const chosen = version || versions[versions.length - 1];
    if (!versions.includes(chosen)) {
      throw new NotFoundError("version", `model "${model}" has no version "${version}" (has ${versions.join(", ")})`);
    }
    return { model, version: chosen, dir: join(this.root, model, chosen) };
  }

  config(entry: ModelEntry): ModelConfig {
    const path = join(entry.dir, "config.json");
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, "utf8"));
    } catch (err) {
      throw new FailedPreconditionError(`${path}: ${(err as Error).message}`);
    }
    const parsed = modelConfigSchema.safeParse(raw);
    if (!parsed.success) {
      throw new FailedPreconditionError(`${path}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    }
    return parsed.data;
  }
}
