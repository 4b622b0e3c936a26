// One ONNX model instance on its own thread (started by onnx.ts): the input encoding and
// session.run — both synchronous, together 0.3–1.5 ms a step on CPU (reading the label a mark
// points at is most of it) — stay off the service's event loop, and N instances use N cores. Messages: stepsMessage.ts.
import { parentPort, workerData } from "node:worker_threads";
import { ortFeeds, preloadEncoding } from "@sketchvl/prm-model";
import * as ort from "onnxruntime-node";
import { type StepsMessage, unpackSteps } from "./stepMessages";

export interface WorkerOptions {
  modelPath: string;
  output: string;
  executionProviders: string[];
  intraOpThreads: number;
}

export type ToWorker = { id: number; message: StepsMessage };
export type FromWorker =
  | { kind: "ready"; outputNames: readonly string[] }
  | { kind: "failed"; error: string }
  | { id: number; probabilities: Float32Array }
  | { id: number; error: string };

async function main(): Promise<void> {
  const options = workerData as WorkerOptions;
  const port = parentPort!;
  let session: ort.InferenceSession;
  try {
    preloadEncoding();
    session = await ort.InferenceSession.create(options.modelPath, {
      executionProviders: options.executionProviders,
      intraOpNumThreads: options.intraOpThreads,
      graphOptimizationLevel: "all",
    });
  } catch (err) {
    port.postMessage({ kind: "failed", error: (err as Error).message } satisfies FromWorker);
    return;
  }
  port.postMessage({ kind: "ready", outputNames: session.outputNames } satisfies FromWorker);
  port.on("message", async ({ id, message }: ToWorker) => {
    try {
      const result = await session.run(ortFeeds(unpackSteps(message)), [options.output]);
      const probabilities = result[options.output].data as Float32Array;
      port.postMessage({ id, probabilities } satisfies FromWorker);
    } catch (err) {
      port.postMessage({ id, error: (err as Error).message } satisfies FromWorker);
    }
  });
}

void main();
