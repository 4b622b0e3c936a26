// The PRM service: FinePRM step scores from versioned models with dynamic batching. Wiring only.
import { resolve } from "node:path";
import { PrmServiceDefinition } from "@sketchvl/contract";
import { ImageStore } from "@sketchvl/drawing";
import { createLogger, exitOnSignals, imageLimitsOf, loadConfigOrExit, type MeshServer, startServer } from "@sketchvl/runtime";
import { createBackend } from "./backends";
import { ChartJudges } from "./chartJudges";
import { prmOptions } from "./config";
import { prmHandlers } from "./handlers";
import { observeBatches, observeQueues } from "./metrics";
import { ModelManager } from "./modelManager";
import { ModelRepository } from "./repository";

async function main() {
  const config = loadConfigOrExit("prm", prmOptions);
  const logger = createLogger("prm", config.logLevel);
  const repository = new ModelRepository(resolve(config.modelRepository));
  const { maxBatchSize, maxQueueDelayMs, maxQueueSize, batchInstances: instances } = config;
  const readiness = PrmServiceDefinition.fullName;
  let server: MeshServer | undefined;
  // Ready exactly while the default model is loaded (UnloadModel makes the replica NOT_SERVING,
  // LoadModel SERVING again), as the policy service does.
  const manager = new ModelManager(repository, { maxBatchSize, maxQueueDelayMs, maxQueueSize, instances }, createBackend, observeBatches, (model) => {
    if (model !== config.defaultModel || !server) return;
    const serving = manager.isServing(model);
    server.health.setStatus(serving ? "healthy" : "unhealthy", readiness);
    logger.info({ model, ready: serving }, serving ? "ready: default model loaded" : "not ready: default model not loaded");
  });
  observeQueues(() => manager.list());
  // Shared memory: model instances (worker threads) read stored images without copying them.
  const handlers = prmHandlers(
    manager,
    new ImageStore(config.storeBytes, { sharedMemory: true }),
    {
      defaultModel: config.defaultModel,
      maxStepsPerRequest: config.maxStepsPerRequest,
      maxStepsInFlightPerStream: config.maxStepsPerStream,
      limits: imageLimitsOf(config),
      maxChartCodeChars: config.maxChartCodeChars,
    },
    new ChartJudges({
      defaultJudge: config.chartJudge,
      seed: config.chartJudgeSeed,
      remote: config.chartJudgeUrl
        ? {
            url: config.chartJudgeUrl,
            model: config.chartJudgeModel,
            apiKeyEnv: config.chartJudgeApiKeyEnv || undefined,
            timeoutMs: config.chartJudgeTimeoutMs,
            maxRetries: config.chartJudgeMaxRetries,
            requestsPerSecond: config.chartJudgeRequestsPerSecond,
            maxConcurrency: config.chartJudgeMaxConcurrency,
          }
        : undefined,
    }),
  );
  server = await startServer({
    name: "prm",
    config,
    logger,
    services: [{ definition: PrmServiceDefinition, implementation: handlers }],
    // Live while models load; ready once every model named in --load-models is loaded and the
    // default model serves.
    prepare: async () => {
      for (const model of config.loadModels
        .split(",")
        .map((m) => m.trim())
        .filter(Boolean)) {
        const status = await manager.load(model);
        logger.info({ model: status.model, version: status.version, backend: status.backend }, "model loaded");
      }
    },
    ready: () => manager.isServing(config.defaultModel),
    onShutdown: () => manager.close(),
  });
  exitOnSignals(server);
}

void main();
