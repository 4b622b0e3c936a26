// Probes on their own thread (see overload.ts), so a busy load generator does not delay them:
// a grpc.health.v1 Check every 50 ms, or (with `render`) a new client's heavy Render call every
// 100 ms, each timed; posts back every latency and how many failed (5 s timeout) when told to stop.
import { parentPort, workerData } from "node:worker_threads";
import { type RenderRequest, RendererServiceDefinition } from "@sketchvl/contract";
import { ClientError, createChannel, createClient, Status } from "nice-grpc";
import { HealthDefinition } from "nice-grpc-server-health";

export interface ProberResult {
  latencies: number[];
  /** Render probes: how many were served rather than refused. */
  served: number;
  failures: number;
}

const { address, render } = workerData as { address: string; render?: RenderRequest };
const channel = createChannel(address);
const health = createClient(HealthDefinition, channel);
const renderer = createClient(RendererServiceDefinition, channel);
let stop = false;
parentPort!.once("message", () => (stop = true));

void (async () => {
  const result: ProberResult = { latencies: [], served: 0, failures: 0 };
  while (!stop) {
    const started = performance.now();
    const signal = AbortSignal.timeout(5000);
    try {
      if (render) {
        await renderer.render(render, { signal });
        result.served++;
      } else {
        await health.check({ service: "" }, { signal });
        result.latencies.push(performance.now() - started);
      }
    } catch (err) {
      if (err instanceof ClientError && err.code === Status.RESOURCE_EXHAUSTED) result.latencies.push(performance.now() - started);
      else result.failures++;
    }
    await new Promise((r) => setTimeout(r, render ? 100 : 50));
  }
  channel.close();
  parentPort!.postMessage(result);
})();
