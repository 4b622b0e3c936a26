// The policy service: groups of draw-and-look rollouts from versioned policies. Wiring only.
import { resolve } from "node:path";
import { PolicyServiceDefinition, RendererServiceDefinition } from "@sketchvl/contract";
import { ImageStore } from "@sketchvl/drawing";
import {
  createLogger,
  createMeshChannel,
  createMeshClient,
  exitOnSignals,
  imageLimitsOf,
  loadConfigOrExit,
  type MeshServer,
  meshSecurity,
  startServer,
} from "@sketchvl/runtime";
import { createBackend } from "./backends";
import { policyOptions } from "./config";
import { Generator } from "./generator";
import { policyHandlers } from "./handlers";
import { policyRepository } from "./repository";
import { Environment } from "./rollout/environment";
import { policyVersions } from "./versions";

async function main() {
  const config = loadConfigOrExit("policy", policyOptions);
  const logger = createLogger("policy", config.logLevel);
  const readiness = PolicyServiceDefinition.fullName;
  let server: MeshServer | undefined;
  // Ready exactly while the default policy is loaded.
  const versions = policyVersions(policyRepository(resolve(config.modelRepository)), createBackend, (model) => {
    if (model !== config.defaultModel || !server) return;
    server.health.setStatus(versions.isServing(model) ? "healthy" : "unhealthy", readiness);
  });
  const channel = createMeshChannel(config.rendererAddress, { maxMessageBytes: config.maxMessageBytes, security: meshSecurity(config) });
  const renderer = createMeshClient(RendererServiceDefinition, channel, { deadlineMs: config.callDeadlineMs, dependency: "renderer" });
  const env = new Environment(renderer, new ImageStore(config.storeBytes), imageLimitsOf(config));
  const generator = new Generator(versions, env, config);
  server = await startServer({
    name: "policy",
    config,
    logger,
    services: [{ definition: PolicyServiceDefinition, implementation: policyHandlers(generator, versions, config.idempotencyEntries) }],
    // Live while policies load; ready once the default one serves (a policy that cannot load is
    // logged: the trainer may publish it later and call LoadPolicy).
    prepare: async () => {
      for (const model of config.loadModels
        .split(",")
        .map((m) => m.trim())
        .filter(Boolean)) {
        try {
          const loaded = await versions.load(model);
          logger.info({ model, version: loaded.version, backend: loaded.backend }, "policy loaded");
        } catch (err) {
          logger.warn({ model, err: (err as Error).message }, "policy not loaded");
        }
      }
    },
    ready: () => versions.isServing(config.defaultModel),
    onShutdown: async () => {
      await versions.close();
      channel.close();
    },
  });
  exitOnSignals(server);
}

void main();
