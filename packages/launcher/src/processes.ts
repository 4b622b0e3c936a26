// Runs a service as its own process, the way an operator would, and waits for its readiness
// through the standard grpc.health.v1 protocol.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { readFileSync } from "node:fs";
import { ChannelCredentials, createChannel, createClient, waitForChannelReady } from "nice-grpc";
import type { TlsFiles } from "./devCertificates";
import { HealthDefinition } from "nice-grpc-server-health";
import { HealthCheckResponse_ServingStatus } from "nice-grpc-server-health/lib/proto/grpc/health/v1/health";
import { entryPoint, type ServiceSpec } from "./services";

const MAX_KEPT_LOG_LINES = 2000;
const STOP_TIMEOUT_MS = 30_000;

export interface RunningProcess {
  spec: ServiceSpec;
  address: string;
  child: ChildProcess;
  /** The last log lines the process wrote (JSON), kept for tests and failure reports. */
  logs: string[];
  /** SIGTERM, then wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface LaunchOptions {
  port: number;
  host?: string;
  env?: NodeJS.ProcessEnv;
  args?: string[];
  readyTimeoutMs?: number;
  /** mTLS for the service (its --tls-* options) and for the launcher's own health checks. */
  tls?: TlsFiles;
  /** Forward the process's log lines here (npm start prints them). */
  onLog?: (service: string, line: string) => void;
}

/**
 * Extra Node.js flags for every launched service, from SKETCHVL_NODE_ARGS (space-separated), e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile a whole mesh under a benchmark (NODE_OPTIONS
 * does not allow --cpu-prof).
 */
function nodeArgs(): string[] {
  return (process.env.SKETCHVL_NODE_ARGS ?? "").split(" ").filter(Boolean);
}

// A launcher that exits without stopping its services (a benchmark that failed, process.exit, a
// Ctrl-C or a CI timeout's SIGTERM) takes them along rather than leaving them running.
const running = new Set<ChildProcess>();
const stopAll = () => {
  for (const child of running) child.kill("SIGTERM");
};
process.once("exit", stopAll);
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const) {
  process.on(signal, () => {
    // A program that handles the signal itself stops its services its own way (npm start drains
    // them); an extra SIGTERM would cut their drain short.
    if (process.listenerCount(signal) > 1) return;
    stopAll();
    process.exit(code); // as the signal would have
  });
}

/**
 * jemalloc for every service when the machine has it (Debian's libjemalloc2, on the README's apt
 * line): with glibc's allocator, memory that sharp / libvips and pixel buffers freed stays in the
 * process (measured: 21 heavy renderer calls left RSS at 1.2 GB with glibc, ~0.4 GB with jemalloc),
 * and sharp limits libvips to one thread per operation when it detects glibc. Returning dirty
 * pages after 1 s gives memory back soon after a load. A caller's own LD_PRELOAD wins.
 */
const JEMALLOC = ["/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2"].find((p) => existsSync(p));

function allocatorEnv(): NodeJS.ProcessEnv {
  if (!JEMALLOC || process.env.LD_PRELOAD !== undefined) return {};
  return { LD_PRELOAD: JEMALLOC, MALLOC_CONF: process.env.MALLOC_CONF ?? "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0" };
}

export async function launchService(spec: ServiceSpec, options: LaunchOptions): Promise<RunningProcess> {
  const host = options.host ?? "127.0.0.1";
  const address = `${host}:${options.port}`;
  const tlsArgs = options.tls ? ["--tls-ca-file", options.tls.caFile, "--tls-cert-file", options.tls.certFile, "--tls-key-file", options.tls.keyFile] : [];
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs(),
      "--require",
      "@sketchvl/runtime/register",
      entryPoint(spec.name),
      "--host",
      host,
      "--port",
      String(options.port),
      ...tlsArgs,
      ...(options.args ?? []),
    ],
    { env: { ...process.env, ...allocatorEnv(), OTEL_SERVICE_NAME: `sketchvl-${spec.name}`, ...options.env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const logs: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => {
      logs.push(line);
      if (logs.length > MAX_KEPT_LOG_LINES) logs.splice(0, logs.length - MAX_KEPT_LOG_LINES / 2);
      options.onLog?.(spec.name, line);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  running.add(child);
  void exited.then(() => running.delete(child));
  // SIGTERM (the service drains within its grace period); SIGKILL if it is still there long after.
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    const code = await exited;
    clearTimeout(killer);
    return code;
  };
  try {
    await Promise.race([
      waitUntilServing(address, spec.readiness, options.readyTimeoutMs ?? 30_000, options.tls),
      exited.then((code) => {
        throw new Error(`${spec.name} exited with code ${code} before it was ready:\n${logs.slice(-20).join("\n")}`);
      }),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { spec, address, child, logs, stop };
}

/** Polls grpc.health.v1 Check for `service` until SERVING or the timeout. */
export async function waitUntilServing(address: string, service: string, timeoutMs: number, tls?: TlsFiles): Promise<void> {
  const credentials = tls
    ? ChannelCredentials.createSsl(readFileSync(tls.caFile), readFileSync(tls.keyFile), readFileSync(tls.certFile))
    : ChannelCredentials.createInsecure();
  // Short reconnect backoff: the process is still starting, and grpc-js would otherwise wait ~1 s
  // between attempts.
  const channel = createChannel(address, credentials, { "grpc.initial_reconnect_backoff_ms": 50, "grpc.max_reconnect_backoff_ms": 100 });
  const client = createClient(HealthDefinition, channel);
  const deadline = Date.now() + timeoutMs;
  try {
    await waitForChannelReady(channel, new Date(deadline));
    for (;;) {
      const status = await client.check({ service }).then(
        (r) => r.status,
        () => undefined,
      );
      if (status === HealthCheckResponse_ServingStatus.SERVING) return;
      if (Date.now() > deadline) throw new Error(`${service} at ${address} not ready after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    channel.close();
  }
}

/** A port that was free a moment ago on loopback (for tests and benchmarks that start processes). */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
