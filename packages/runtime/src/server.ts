// Server bootstrap shared by every service: health (live vs ready), reflection, limits, error
// mapping, and graceful shutdown. A service's main.ts only says what to serve.
import { readFileSync } from "node:fs";
import { descriptorSetPath } from "@sketchvl/contract";
import { createServer, type Server } from "nice-grpc";
import { errorDetailsServerMiddleware } from "nice-grpc-error-details";
import { HealthDefinition, HealthServiceImpl, HealthState } from "nice-grpc-server-health";
import { ServerReflection, ServerReflectionService } from "nice-grpc-server-reflection";
import type { ConfigOf } from "./config";
import type { serverOptions } from "./config";
import { createLogger, type Logger } from "./logger";
import { authenticateCalls } from "./auth";
import { meshSecurity } from "./meshSecurity";
import { limitInFlight, observeCalls, startupGate, streamTerminator } from "./middleware";
import { rejectUndecodableRequests, withSafeDecoding } from "./requestDecoding";
import { shutdownTelemetry } from "./telemetry";
import { withSharedEncoding } from "./messageEncoding";

/** HTTP/2 flow-control window of every connection, both ends (see client.ts). */
export const FLOW_CONTROL_WINDOW = 16 * 1024 * 1024;

export type ServerConfig = ConfigOf<ReturnType<typeof serverOptions>>;

export interface ServiceRegistration {
  // The generated `XxxServiceDefinition` (ts-proto, nice-grpc flavour) and its implementation.
  definition: { fullName: string } & object;
  implementation: object;
}

export interface StartOptions {
  /** Short name: "renderer". */
  name: string;
  config: ServerConfig;
  services: ServiceRegistration[];
  logger?: Logger;
  /** Work before the services report ready (loading models); liveness is already SERVING meanwhile. */
  prepare?: () => Promise<void>;
  /**
   * Whether the services are ready once `prepare` is done (default: yes). A service whose
   * readiness changes later (a model it needs loaded or unloaded) sets `health` itself.
   */
  ready?: () => boolean;
  /** Runs after the server stopped accepting calls (close stores, flush state). */
  onShutdown?: () => Promise<void>;
}

export interface MeshServer {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly logger: Logger;
  readonly health: HealthState;
  /** NOT_SERVING, stop accepting, let in-flight calls finish within the grace period, then cut. */
  shutdown(reason?: string): Promise<void>;
}

export async function startServer(options: StartOptions): Promise<MeshServer> {
  const { name, config } = options;
  const logger = options.logger ?? createLogger(name, config.logLevel);
  const health = HealthState();
  const serviceNames = options.services.map((s) => s.definition.fullName);
  for (const service of serviceNames) health.setStatus("unhealthy", service);

  const security = meshSecurity(config, (message) => logger.warn(message));
  const limiter = limitInFlight(config.maxInFlight);
  const terminator = streamTerminator();
  const gate = startupGate();
  const server: Server = createServer({
    "grpc.max_receive_message_length": config.maxMessageBytes,
    "grpc.max_send_message_length": config.maxMessageBytes,
    "grpc.max_connection_age_ms": config.maxConnectionAgeMs,
    "grpc.max_connection_age_grace_ms": config.maxConnectionAgeGraceMs,
    // HTTP/2's default 64 KiB window makes a 2 MB raw image take dozens of round trips.
    "grpc-node.flow_control_window": FLOW_CONTROL_WINDOW,
  })
    .use(errorDetailsServerMiddleware)
    .use(observeCalls(logger))
    .use(authenticateCalls(security.roles)) // before anything else costs: an unknown caller takes no in-flight slot
    .use(rejectUndecodableRequests) // undecodable bytes: INVALID_ARGUMENT, not grpc-js's INTERNAL
    .use(gate.middleware)
    .use(terminator.middleware)
    .use(limiter.middleware);

  for (const { definition, implementation } of options.services) {
    server.add(withSafeDecoding(withSharedEncoding(definition)) as never, implementation as never);
  }
  server.add(withSafeDecoding(HealthDefinition), HealthServiceImpl(health));
  server.add(
    withSafeDecoding(ServerReflectionService),
    ServerReflection(readFileSync(descriptorSetPath), [...serviceNames, "grpc.reflection.v1.ServerReflection"]),
  );

  const port = await server.listen(`${config.host}:${config.port}`, security.serverCredentials());
  // Health alone, in plaintext: it says SERVING or not, nothing a client certificate would protect.
  let healthServer: Server | undefined;
  if (config.healthPort >= 0) {
    healthServer = createServer();
    healthServer.add(withSafeDecoding(HealthDefinition), HealthServiceImpl(health));
    const healthPort = await healthServer.listen(`${config.host}:${config.healthPort}`);
    logger.info({ healthPort }, "health on its own plaintext port");
  }
  // Where a client on this machine dials; the log says what the server bound.
  const address = `${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${port}`;
  logger.info({ listen: `${config.host}:${port}`, services: serviceNames, mtls: security.tls, auth: security.roles.enabled }, "listening");

  await options.prepare?.();
  gate.open();
  if (options.ready?.() ?? true) {
    for (const service of serviceNames) health.setStatus("healthy", service);
    logger.info({ services: serviceNames }, "ready");
  }

  let stopping: Promise<void> | undefined;
  const shutdown = (reason = "shutdown") =>
    (stopping ??= (async () => {
      logger.info({ reason, inFlight: limiter.inFlight(), graceMs: config.shutdownGraceMs }, "draining");
      health.setStatus("unhealthy");
      for (const service of serviceNames) health.setStatus("unhealthy", service);
      terminator.terminate();
      let timer: NodeJS.Timeout | undefined;
      const graceful = server.shutdown().then(() => "drained" as const);
      const cut = new Promise<"cut">((resolve) => (timer = setTimeout(() => resolve("cut"), config.shutdownGraceMs)));
      const how = await Promise.race([graceful, cut]);
      clearTimeout(timer);
      if (how === "cut") {
        logger.warn({ inFlight: limiter.inFlight() }, "grace period over: cutting remaining calls");
        server.forceShutdown();
      }
      healthServer?.forceShutdown(); // last: probes see NOT_SERVING while the calls drain
      await options.onShutdown?.();
      logger.info({ how }, "stopped");
    })());

  return { name, address, port, logger, health, shutdown };
}

/** For main.ts: SIGTERM / SIGINT → graceful shutdown → flush telemetry → exit. */
export function exitOnSignals(server: MeshServer): void {
  const onSignal = (signal: NodeJS.Signals) => {
    void server
      .shutdown(signal)
      .then(shutdownTelemetry)
      .then(
        () => process.exit(0),
        (err) => {
          server.logger.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}
