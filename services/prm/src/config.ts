// The PRM service's options (flags / PRM_* environment / defaults); `--help` lists them.
import { imageLimitOptions, serverOptions } from "@sketchvl/runtime";
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();

export const prmOptions = {
  ...serverOptions(50053),
  modelRepository: { schema: z.string().default("models"), doc: "the model repository: <repo>/<model>/<version>/config.json (+ model.onnx)" },
  defaultModel: {
    schema: z.string().min(1).default("finepr"),
    doc: "the model used when a request names none; the service is ready (readiness SERVING) only while it is loaded",
  },
  loadModels: {
    schema: z.string().default("finepr"),
    doc: "models loaded at start (comma-separated, newest version each); the service is ready once all are (and the default model serves)",
  },
  maxBatchSize: { schema: positiveInt.default(32), doc: "dynamic batching: most steps in one model call (1 turns batching off)" },
  maxQueueDelayMs: { schema: z.coerce.number().nonnegative().default(2), doc: "dynamic batching: how long a step may wait for others to fill its batch" },
  batchInstances: {
    schema: positiveInt.default(1),
    doc: "model instances per version, each running one batch at a time (onnx: one worker thread and session each; up to one per core)",
  },
  maxQueueSize: { schema: positiveInt.default(2048), doc: "steps waiting per model version; beyond it, RESOURCE_EXHAUSTED at once" },
  maxStepsPerRequest: { schema: positiveInt.default(4096), doc: "most steps in one ScoreSteps call" },
  maxStepsPerStream: {
    schema: positiveInt.default(256),
    doc: "steps of one StreamScores call being scored at once; beyond it the stream stops reading (backpressure)",
  },
  ...imageLimitOptions({ storeBytes: 512 * 1024 * 1024, storeDoc: "memory for images kept by digest" }),
};
