// Gradients of micro-batches, in this thread or in worker threads. A batch is cut into fixed
// micro-batches; each one's gradient goes to its own slot and the slots are summed in order, so
// the result does not depend on how many threads computed them.
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { InputName } from "./features";
import { argmax, Layout, Workspace, type Architecture } from "./network";

export interface GradientSetup {
  arch: Architecture;
  /** Shared with workers: they read the current parameters from it. */
  params: Float32Array;
  inputs: Record<InputName, Float32Array>;
  labels: Uint8Array;
  /** One gradient buffer per micro-batch slot (shared). */
  slots: Float32Array[];
  microBatch: number;
}

export interface MicroBatchJob {
  slot: number;
  indices: Int32Array;
  /** Loss scale (1 / batch size). */
  scale: number;
}

export interface MicroBatchResult {
  slot: number;
  /** Summed cross-entropy (unscaled). */
  loss: number;
  correct: number;
}

/** Computes one micro-batch's gradient into its slot (zeroing it first). */
export function runMicroBatch(setup: GradientSetup, layout: Layout, ws: Workspace, job: MicroBatchJob): MicroBatchResult {
  const n = job.indices.length;
  ws.setParams(setup.params);
  ws.zeroGrads();
  ws.forward(setup.inputs, job.indices, n);
  let correct = 0;
  const K = layout.arch.classes;
  for (let s = 0; s < n; s++) if (argmax(ws.probs, s, K) === setup.labels[job.indices[s]]) correct++;
  const loss = ws.backward(setup.labels, job.indices, n, job.scale);
  setup.slots[job.slot].set(ws.grads);
  return { slot: job.slot, loss, correct };
}

/** Runs micro-batch jobs on N worker threads (or in this thread when N = 0). */
export class GradientPool {
  private readonly workers: Worker[] = [];
  private readonly layout: Layout;
  private readonly local: Workspace | null;

  constructor(
    private readonly setup: GradientSetup,
    threads: number,
  ) {
    this.layout = new Layout(setup.arch);
    this.local = threads === 0 ? new Workspace(this.layout, setup.microBatch) : null;
    for (let i = 0; i < threads; i++) this.workers.push(new Worker(join(__dirname, "gradient-worker.js"), { workerData: setup }));
  }

  /** Runs the jobs; job k goes to worker k mod N, each worker takes its jobs in order. */
  async run(jobs: MicroBatchJob[]): Promise<MicroBatchResult[]> {
    if (this.local) return jobs.map((j) => runMicroBatch(this.setup, this.layout, this.local!, j));
    const per = this.workers.map(() => [] as MicroBatchJob[]);
    jobs.forEach((j, k) => per[k % per.length].push(j));
    const results = await Promise.all(
      per.map(
        (list, w) =>
          new Promise<MicroBatchResult[]>((resolve, reject) => {
            if (list.length === 0) return resolve([]);
            const worker = this.workers[w];
            const onMessage = (r: MicroBatchResult[]): void => {
              worker.off("error", onError);
              resolve(r);
            };
            const onError = (e: Error): void => {
              worker.off("message", onMessage);
              reject(e);
            };
            worker.once("message", onMessage);
            worker.once("error", onError);
            worker.postMessage(list);
          }),
      ),
    );
    return results.flat().sort((a, b) => a.slot - b.slot);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
