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
  chartJudge: {
    schema: z.enum(["reference", "remote-judge", "random"]).default("reference"),
    doc: "JudgeChartCode: the chart judge a request that names none gets (reference: ChartWorld's exact spec comparison)",
  },
  chartJudgeUrl: {
    schema: z.union([z.literal(""), z.string().url()]).default(""),
    doc: "JudgeChartCode: the remote judge's OpenAI-compatible base URL (empty: no remote judge)",
  },
  chartJudgeModel: { schema: z.string().min(1).default("visual-erm"), doc: "JudgeChartCode: the remote judge's model name" },
  chartJudgeApiKeyEnv: { schema: z.string().default(""), doc: "JudgeChartCode: environment variable holding the remote judge's API key" },
  chartJudgeTimeoutMs: { schema: positiveInt.default(60_000), doc: "JudgeChartCode: timeout of one remote judge call" },
  chartJudgeMaxRetries: { schema: z.coerce.number().int().nonnegative().default(3), doc: "JudgeChartCode: retries of a remote judge call on 408/429/5xx" },
  chartJudgeRequestsPerSecond: { schema: z.coerce.number().positive().default(20), doc: "JudgeChartCode: remote judge calls started per second" },
  chartJudgeMaxConcurrency: { schema: positiveInt.default(16), doc: "JudgeChartCode: remote judge calls at once" },
  chartJudgeSeed: { schema: z.coerce.number().int().default(0), doc: "JudgeChartCode: the random judge's seed" },
  maxChartCodeChars: { schema: positiveInt.default(200_000), doc: "JudgeChartCode: longest reference or predicted code" },
  ...imageLimitOptions({ storeBytes: 512 * 1024 * 1024, storeDoc: "memory for images kept by digest" }),
};
