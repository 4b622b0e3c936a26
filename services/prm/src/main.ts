// The PRM service: FinePRM step scores from versioned models with dynamic batching. Wiring only.
import { resolve } from "node:path";
import { PrmServiceDefinition } from "@sketchvl/contract";
import { ImageStore } from "@sketchvl/drawing";
import { createLogger, exitOnSignals, loadConfigOrExit, startServer } from "@sketchvl/runtime";
import { createBackend } from "./backends";
import { prmOptions } from "./config";
import { prmHandlers } from "./handlers";
import { observeBatches } from "./metrics";
import { ModelManager } from "./modelManager";
import { ModelRepository } from "./repository";

async function main() {
  const config = loadConfigOrExit("prm", prmOptions);
  const logger = createLogger("prm", config.logLevel);
  const repository = new ModelRepository(resolve(config.modelRepository));
  const { maxBatchSize, maxQueueDelayMs, maxQueueSize, batchInstances: instances } = config;
  const manager = new ModelManager(repository, { maxBatchSize, maxQueueDelayMs, maxQueueSize, instances }, createBackend, observeBatches);
  // Shared memory: model instances (worker threads) read stored images without copying them.
  const handlers = prmHandlers(manager, new ImageStore(config.storeBytes, { sharedMemory: true }), {
    defaultModel: config.defaultModel,
    maxStepsPerRequest: config.maxStepsPerRequest,
    maxStepsInFlightPerStream: config.maxStepsPerStream,
    limits: config,
  });
  const server = await startServer({
    name: "prm",
    config,
    logger,
    services: [{ definition: PrmServiceDefinition, implementation: handlers }],
    // Live while models load, ready once every model named in --load-models serves.
    prepare: async () => {
      for (const model of config.loadModels.split(",").map((m) => m.trim()).filter(Boolean)) {
        const status = await manager.load(model);
        logger.info({ model: status.model, version: status.version, backend: status.backend }, "model loaded");
      }
    },
    onShutdown: () => manager.close(),
  });
  exitOnSignals(server);
}

void main();
