// The mesh as a cluster of containers (the image from infra/docker) on one Docker network, started
// with testcontainers: 2 renderer, 2 PRM, 1 trainer and 2 reward replicas. Replicas of a service
// share a network alias, so the reward service finds its peers as Kubernetes clients do: one DNS
// name with an address per replica (dns:///prm:50053), balanced per call (round_robin).
// `npm run test:cluster` runs this (scripts/testCluster.mjs builds the image first).
import { execFileSync } from "node:child_process";
import { RewardServiceDefinition } from "@sketchvl/contract";
import { SERVICES, waitUntilServing } from "@sketchvl/launcher";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import { GenericContainer, type StartedNetwork, type StartedTestContainer } from "testcontainers";

export const IMAGE = process.env.SKETCHVL_IMAGE ?? "sketchvl/mesh:dev";
/** Where every container serves Prometheus metrics (OTEL_EXPORTER_PROMETHEUS_PORT; the manifests' `metrics` port). */
export const METRICS_PORT = 9464;

export type RewardClient = ReturnType<typeof createMeshClient<typeof RewardServiceDefinition>>;

export interface Replica {
  service: string;
  container: StartedTestContainer;
  /** host:port of its gRPC port as published on this machine. */
  address: string;
}

const spec = (service: string) => {
  const s = SERVICES.find((x) => x.name === service);
  if (!s) throw new Error(`no service ${service}`);
  return s;
};

/** Peer flags of the reward service: every peer by its network alias, as Kubernetes' headless Services. */
const rewardPeers = () => Object.entries(spec("reward").peers ?? {}).flatMap(([flag, peer]) => [flag, `dns:///${peer}:${spec(peer).defaultPort}`]);

/**
 * Where containers send their spans: an OTLP/HTTP endpoint on this machine, reached through the
 * Docker gateway as host.docker.internal. Set before replicas start.
 */
export const telemetry: { otlpPort?: number } = {};

/**
 * Starts one replica of `service` on `network` under its service name, and waits until it is ready.
 * `joinWhenReady`: the replica joins the network (and its DNS name) only once ready, as Kubernetes
 * adds a pod to a Service's endpoints only when its readiness probe passes — what a replacement
 * started under load needs (the cluster's first replicas start before any load).
 */
export async function startReplica(network: StartedNetwork, service: string, args: string[] = [], joinWhenReady = false): Promise<Replica> {
  const { defaultPort, readiness } = spec(service);
  const prefix = service.toUpperCase();
  const base = new GenericContainer(IMAGE);
  const container = await (joinWhenReady ? base : base.withNetwork(network).withNetworkAliases(service))
    .withUser("10001:10001")
    .withTmpFs({ "/tmp": "rw" })
    .withEnvironment({
      [`${prefix}_HOST`]: "0.0.0.0",
      [`${prefix}_SHUTDOWN_GRACE_MS`]: "10000",
      [`${prefix}_LOG_LEVEL`]: "warn",
      // Prometheus metrics on their own port, as the manifests scrape them.
      OTEL_METRICS_EXPORTER: "prometheus",
      OTEL_EXPORTER_PROMETHEUS_PORT: String(METRICS_PORT),
      ...(telemetry.otlpPort
        ? {
            OTEL_EXPORTER_OTLP_ENDPOINT: `http://host.docker.internal:${telemetry.otlpPort}`,
            OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
            OTEL_BSP_SCHEDULE_DELAY: "100",
          }
        : {}),
    })
    .withExtraHosts([{ host: "host.docker.internal", ipAddress: "host-gateway" }])
    .withExposedPorts(defaultPort, METRICS_PORT)
    .withCommand([`services/${service}/dist/main.js`, ...(service === "reward" ? rewardPeers() : []), ...args])
    .start();
  const address = `127.0.0.1:${container.getMappedPort(defaultPort)}`;
  await waitUntilServing(address, readiness, 60_000);
  if (joinWhenReady) execFileSync("docker", ["network", "connect", "--alias", service, network.getName(), container.getId()], { stdio: "ignore" });
  return { service, container, address };
}

/** The replica's Prometheus metrics: each sample line's value by its series (name and labels). */
export async function scrapeMetrics(replica: Replica): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${replica.container.getMappedPort(METRICS_PORT)}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)/.exec(line);
    if (m) samples.set(m[1], Number(m[2]));
  }
  return samples;
}

/** SIGKILL, as a lost node or an OOM kill: no drain, connections cut. */
export function killReplica(replica: Replica): void {
  execFileSync("docker", ["kill", "--signal", "KILL", replica.container.getId()], { stdio: "ignore" });
}

/** Whether the replica's container is still running. */
export function running(replica: Replica): boolean {
  return execFileSync("docker", ["inspect", "--format", "{{.State.Running}}", replica.container.getId()]).toString().trim() === "true";
}

/** SIGTERM and wait for the container to exit (the service drains within its grace period). */
export function stopReplica(replica: Replica): number {
  execFileSync("docker", ["stop", "--time", "20", replica.container.getId()], { stdio: "ignore" });
  return Number(execFileSync("docker", ["inspect", "--format", "{{.State.ExitCode}}", replica.container.getId()]).toString().trim());
}

export function rewardClient(address: string): { client: RewardClient; close(): void } {
  const channel = createMeshChannel(address);
  return { client: createMeshClient(RewardServiceDefinition, channel, { deadlineMs: 60_000 }), close: () => channel.close() };
}

/** Whether a Docker daemon answers, and the image is there; a reason when not. */
export function dockerProblem(): string | undefined {
  try {
    execFileSync("docker", ["info"], { stdio: "ignore", timeout: 10_000 });
  } catch {
    return "no Docker daemon answers `docker info`";
  }
  try {
    execFileSync("docker", ["image", "inspect", IMAGE], { stdio: "ignore" });
  } catch {
    return `the image ${IMAGE} is not built (infra/docker/build.sh)`;
  }
  return undefined;
}
