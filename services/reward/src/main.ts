// The reward service RL trainers call: gRPC RewardService and an OpenRLHF-compatible HTTP
// endpoint, orchestrating renderer → PRM → trainer. Wiring only.
import { RewardServiceDefinition } from "@sketchvl/contract";
import { ImageStore } from "@sketchvl/drawing";
import { createLogger, exitOnSignals, imageLimitsOf, loadConfigOrExit, meshSecurity, startServer } from "@sketchvl/runtime";
import type { Server } from "node:http";
import { rewardOptions } from "./config";
import { RewardScorer } from "./groupScorer";
import { rewardHandlers } from "./handlers";
import { connectMesh } from "./meshClients";
import { startOpenRlhfEndpoint } from "./openrlhfHttp";

async function main() {
  const config = loadConfigOrExit("reward", rewardOptions);
  const logger = createLogger("reward", config.logLevel);
  const security = meshSecurity(config, (message) => logger.warn(message));
  const mesh = connectMesh(
    { renderer: config.rendererAddress, prm: config.prmAddress, trainer: config.trainerAddress },
    config.callDeadlineMs,
    config.maxMessageBytes,
    security,
  );
  const scorer = new RewardScorer(mesh, new ImageStore(config.storeBytes), {
    limits: imageLimitsOf(config),
    sampleTimeoutMs: config.sampleTimeoutMs,
    maxResponses: config.maxResponses,
    maxTextChars: config.maxTextChars,
    maxMessageBytes: config.maxMessageBytes,
  });
  if (config.maxPixels * 3 > config.maxMessageBytes) {
    // Not an error (most images are far smaller), but the operator should know which limit binds.
    logger.info(
      { maxPixels: config.maxPixels, maxMessageBytes: config.maxMessageBytes },
      `images over ${Math.floor(config.maxMessageBytes / 3)} pixels (within --max-pixels) will be refused: their raw pixels exceed --max-message-bytes`,
    );
  }
  let http: Server | undefined;
  const server = await startServer({
    name: "reward",
    config,
    logger,
    services: [{ definition: RewardServiceDefinition, implementation: rewardHandlers(scorer, config) }],
    prepare: async () => {
      if (config.httpPort < 0) return;
      http = await startOpenRlhfEndpoint(scorer, {
        port: config.httpPort,
        host: config.host,
        imageRoot: config.imageRoot,
        maxBodyBytes: config.httpMaxBodyBytes,
        maxInFlight: config.maxInFlight,
        requestTimeoutMs: config.httpRequestTimeoutMs,
        logger,
        roles: security.roles,
        rateLimit: config.httpRateLimitPerSecond > 0 ? { perSecond: config.httpRateLimitPerSecond, burst: config.httpRateLimitBurst } : undefined,
      });
      const address = http.address();
      logger.info({ port: typeof address === "object" && address ? address.port : config.httpPort }, "OpenRLHF endpoint: POST /get_reward");
    },
    onShutdown: async () => {
      await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
      mesh.close();
    },
  });
  exitOnSignals(server);
}

void main();
