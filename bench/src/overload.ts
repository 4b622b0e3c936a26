// bench/overload: the renderer under 10× overload with heavy calls, as an operator would try it.
// Each caller loops Render (many large circles on a big chart, the chart sent once and then by
// digest); a rejected caller backs off briefly and tries again, as a client with retries does.
// Meanwhile a prober on its own thread checks health every 50 ms. Printed: calls served and
// rejected, rejection and health latency p50 / p99 (the idle figures of the same run are the
// baseline), and the renderer's RSS before, at peak and after, against its configured budget.
//   npm run bench:overload [-- --callers 80 --circles 200 --seconds 15 --budget-mib 1024 --settle-seconds 30]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { CoordinateSpace, type DrawingAction, ImageFormat, type RenderRequest, RendererServiceDefinition } from "@sketchvl/contract";
import { freePort, launchService, SERVICES } from "@sketchvl/launcher";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import { ClientError, Status } from "nice-grpc";
import type { ProberResult } from "./healthProber";
import { barChartPng, fmt, table } from "./support";

const { values } = parseArgs({
  options: {
    callers: { type: "string", default: "80" },
    circles: { type: "string", default: "200" },
    seconds: { type: "string", default: "15" },
    "budget-mib": { type: "string", default: "1024" },
    "store-mib": { type: "string", default: "256" },
    "settle-seconds": { type: "string", default: "30" },
  },
});
const CALLERS = Number(values.callers);
const CIRCLES = Number(values.circles);
const SECONDS = Number(values.seconds);
const BUDGET_MIB = Number(values["budget-mib"]);
const STORE_MIB = Number(values["store-mib"]);
const SETTLE_S = Number(values["settle-seconds"]);
const W = 1600;
const H = 1200;
const BACKOFF_MS = 50;

/** RSS of a process in MiB (VmRSS of /proc/<pid>/status). */
function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

const quantile = (xs: number[], q: number) => {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

/** Large circles spread over the chart, different per call so nothing is cached between calls. */
function circles(seed: number): DrawingAction[] {
  return Array.from({ length: CIRCLES }, (_, i) => ({
    kind: {
      $case: "circle" as const,
      value: { center: { x: (seed * 37 + i * 71) % 1000, y: (seed * 53 + i * 29) % 1000 }, radius: 150 + ((seed + i * 13) % 300) },
    },
    color: ["Red", "Blue", "Green"][i % 3],
    space: CoordinateSpace.COORDINATE_SPACE_NORM_1000,
  }));
}

/** Health checks (or Render calls, with `render`) from their own thread: healthProber.ts. */
function startProber(address: string, render?: RenderRequest) {
  const worker = new Worker(join(__dirname, "healthProber.js"), { workerData: { address, render } });
  return {
    stop: () =>
      new Promise<ProberResult>((resolve) => {
        worker.once("message", resolve);
        worker.postMessage("stop");
      }),
  };
}

async function main() {
  const spec = SERVICES.find((s) => s.name === "renderer")!;
  const renderer = await launchService(spec, {
    port: await freePort(),
    args: [
      "--log-level",
      "warn",
      "--store-bytes",
      String(STORE_MIB * 1024 * 1024),
      ...(BUDGET_MIB > 0 ? ["--work-budget-bytes", String(BUDGET_MIB * 1024 * 1024)] : []),
    ],
  });
  const pid = renderer.child.pid!;
  const channel = createMeshChannel(renderer.address);
  const client = createMeshClient(RendererServiceDefinition, channel);
  const chart = await barChartPng(W, H);
  const put = await client.putImage({ image: { source: { $case: "encoded", value: chart } } });
  const image = { source: { $case: "digest" as const, value: put.image!.digest } };
  console.log(`renderer at ${renderer.address} (pid ${pid}), chart ${put.image!.digest}`);
  const request = (seed: number): RenderRequest => ({ image, actions: circles(seed), outputFormat: ImageFormat.IMAGE_FORMAT_PNG });
  const render = (seed: number, signal?: AbortSignal) => client.render(request(seed), { signal });

  // Idle baselines: one heavy call alone, and health with nothing else running.
  let t = performance.now();
  await render(0);
  const aloneMs = performance.now() - t;
  const idleProber = startProber(renderer.address);
  await new Promise((r) => setTimeout(r, 2000));
  const idle = await idleProber.stop();
  await new Promise((r) => setTimeout(r, 1000));
  const rssBefore = rssMiB(pid);

  console.log(
    `bench/overload: renderer, ${CALLERS} callers × Render(${CIRCLES} circles, ${W}x${H}, PNG out) for ${SECONDS} s; ` +
      `work budget ${BUDGET_MIB} MiB, image store ${STORE_MIB} MiB; one call alone takes ${fmt(aloneMs, 0)} ms`,
  );
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 50);
  const prober = startProber(renderer.address);
  const newClient = startProber(renderer.address, request(0));
  const served: number[] = [];
  const rejected: number[] = [];
  const failed = new Map<string, number>();
  const until = Date.now() + SECONDS * 1000;
  let seed = 1;
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (Date.now() < until) {
        t = performance.now();
        const started = t;
        try {
          await render(seed++, AbortSignal.timeout(120_000));
          served.push(performance.now() - started);
        } catch (err) {
          const code = err instanceof ClientError ? Status[err.code] : (err as Error).name;
          if (code === "RESOURCE_EXHAUSTED") rejected.push(performance.now() - started);
          else failed.set(code, (failed.get(code) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, BACKOFF_MS));
        }
      }
    }),
  );
  const loaded = await prober.stop();
  const probed = await newClient.stop();
  clearInterval(sampler);
  peak = Math.max(peak, rssMiB(pid));
  // Freed buffers go back when the garbage collector runs; V8's memory reducer does so a few
  // seconds after allocation stops, so "after" is read 5 s and --settle-seconds after the load.
  await new Promise((r) => setTimeout(r, 5000));
  const rssAfter5 = rssMiB(pid);
  await new Promise((r) => setTimeout(r, Math.max(0, SETTLE_S - 5) * 1000));
  const rssAfter = rssMiB(pid);
  channel.close();
  await renderer.stop();

  const ms = (x: number) => `${fmt(x, 1)} ms`;
  console.log(
    table([
      [
        "calls served / rejected RESOURCE_EXHAUSTED",
        `${served.length} / ${rejected.length}`,
        `other failures: ${failed.size === 0 ? "none" : JSON.stringify(Object.fromEntries(failed))}`,
      ],
      ["served latency p50 / p99", `${ms(quantile(served, 0.5))} / ${ms(quantile(served, 0.99))}`, `one call alone ${ms(aloneMs)}`],
      [
        "rejection latency p50 / p99, the load's callers",
        `${ms(quantile(rejected, 0.5))} / ${ms(quantile(rejected, 0.99))}`,
        "one shared connection, bursts of retries",
      ],
      [
        "rejection latency p50 / p99, a new client every 100 ms",
        `${ms(quantile(probed.latencies, 0.5))} / ${ms(quantile(probed.latencies, 0.99))}`,
        `${probed.latencies.length} refused, ${probed.served} served, ${probed.failures} failed; target p99 < 50 ms`,
      ],
      [
        "health latency idle p50 / p99 (baseline)",
        `${ms(quantile(idle.latencies, 0.5))} / ${ms(quantile(idle.latencies, 0.99))}`,
        `${idle.latencies.length} checks`,
      ],
      [
        "health latency under load p50 / p99",
        `${ms(quantile(loaded.latencies, 0.5))} / ${ms(quantile(loaded.latencies, 0.99))}`,
        `${fmt(quantile(loaded.latencies, 0.99) / quantile(idle.latencies, 0.99), 1)}x idle p99; ${loaded.failures} checks failed (5 s timeout); target p99 < 100 ms`,
      ],
      [
        `RSS before / peak / 5 s after / ${SETTLE_S} s after (MiB)`,
        `${fmt(rssBefore, 0)} / ${fmt(peak, 0)} / ${fmt(rssAfter5, 0)} / ${fmt(rssAfter, 0)}`,
        `budget: work ${BUDGET_MIB} + store ${STORE_MIB} MiB + ${fmt(rssBefore, 0)} idle = ${fmt(BUDGET_MIB + STORE_MIB + rssBefore, 0)} MiB`,
      ],
    ]),
  );
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
