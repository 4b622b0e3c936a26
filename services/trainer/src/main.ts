// The trainer service: FinePO credit assignment over gRPC. Wiring only.
import { TrainerServiceDefinition } from "@sketchvl/contract";
import { createLogger, exitOnSignals, exitWithConfigError, loadConfigOrExit, startServer } from "@sketchvl/runtime";
import { AdvantageEngine } from "./advantageEngine";
import { trainerOptions } from "./config";
import { resolveSettings, RunRegistry } from "./finepo";
import { trainerHandlers } from "./handlers";
import { loadPrior } from "./priors";
import { RunConfigs } from "./runConfigs";

async function main() {
  const config = loadConfigOrExit("trainer", trainerOptions);
  const logger = createLogger("trainer", config.logLevel);
  const stateDir = config.stateDir === "none" ? undefined : config.stateDir;
  const { alpha, beta, lambdaKl, gamma, epsilon, windowBatches } = config;
  const defaults = { alpha, beta, lambdaKl, gamma, epsilon, windowBatches };
  let prior: ReturnType<typeof loadPrior>;
  try {
    resolveSettings(defaults);
    prior = loadPrior(config.priorFile);
  } catch (err) {
    exitWithConfigError("trainer", (err as Error).message);
  }
  const registry = new RunRegistry({ stateDir, warn: (message) => logger.warn(message), info: (message) => logger.info(message) });
  const engine = new AdvantageEngine(registry, new RunConfigs(stateDir), defaults, prior, {
    maxGroupSize: config.maxGroupSize,
    maxTokens: config.maxTokens,
    idempotencyEntries: config.idempotencyEntries,
    idempotencyBytes: config.idempotencyBytes,
    maxAnswerBytes: config.maxMessageBytes,
  });
  const server = await startServer({
    name: "trainer",
    config,
    logger,
    services: [{ definition: TrainerServiceDefinition, implementation: trainerHandlers(engine) }],
    onShutdown: async () => registry.close(),
  });
  if (stateDir) logger.info({ stateDir }, "KL windows and run configs persist here");
  else logger.warn("--state-dir none: KL windows and run configs live in memory only and reset on restart");
  exitOnSignals(server);
}

void main();
