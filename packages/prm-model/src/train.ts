// The training loop: AdamW on cross-entropy, cosine learning-rate decay after a short warm-up,
// shuffled mini-batches from a seeded generator. Deterministic for a seed: the same seed, data and
// options give bit-identical parameters, whatever the number of threads (see gradients.ts).
import { Rng } from "@sketchvl/chartworld";
import type { EncodedDataset } from "./dataset";
import { GradientPool, type MicroBatchJob } from "./gradients";
import { argmax, defaultArchitecture, initParams, Layout, predict, type Architecture } from "./network";

export interface TrainOptions {
  seed: number;
  epochs: number;
  batchSize: number;
  /** Micro-batch size: the unit of work of a thread. batchSize must be a multiple. */
  microBatch: number;
  lr: number;
  weightDecay: number;
  /** Linear warm-up, in optimizer steps. */
  warmupSteps: number;
  /** Worker threads for gradients (0: this thread). Does not change the result. */
  threads: number;
  arch: Architecture;
  log?: (msg: string) => void;
  /** Evaluated (exact accuracy) after each epoch when given. */
  validation?: EncodedDataset;
}

export function defaultTrainOptions(seed: number): TrainOptions {
  return { seed, epochs: 5, batchSize: 64, microBatch: 16, lr: 2e-3, weightDecay: 1e-4, warmupSteps: 200, threads: 2, arch: defaultArchitecture() };
}

export interface EpochStats {
  epoch: number;
  loss: number;
  accuracy: number;
  validationAccuracy?: number;
  seconds: number;
}

export interface TrainResult {
  layout: Layout;
  params: Float32Array;
  history: EpochStats[];
  seconds: number;
}

export function accuracy(probs: Float32Array, labels: Uint8Array, K = 4): number {
  let ok = 0;
  const n = labels.length;
  for (let s = 0; s < n; s++) if (argmax(probs, s, K) === labels[s]) ok++;
  return n === 0 ? 0 : ok / n;
}

export async function train(data: EncodedDataset, opts: TrainOptions): Promise<TrainResult> {
  if (opts.batchSize % opts.microBatch !== 0) throw new Error("batchSize must be a multiple of microBatch");
  const layout = new Layout(opts.arch);
  const rng = new Rng(opts.seed, "finepr-train");
  const init = initParams(layout, () => rng.next());
  const shared = opts.threads > 0;
  const params = shared ? new Float32Array(new SharedArrayBuffer(layout.total * 4)) : new Float32Array(layout.total);
  params.set(init);
  const slotsPerBatch = opts.batchSize / opts.microBatch;
  const slots = Array.from({ length: slotsPerBatch }, () => (shared ? new Float32Array(new SharedArrayBuffer(layout.total * 4)) : new Float32Array(layout.total)));
  const pool = new GradientPool({ arch: opts.arch, params, inputs: data.inputs, labels: data.labels, slots, microBatch: opts.microBatch }, opts.threads);
  // Decoupled weight decay applies to weights, not biases.
  const decay = new Uint8Array(layout.total);
  for (const p of layout.params) if (p.fanIn > 0) decay.fill(1, p.offset, p.offset + p.size);
  const m = new Float64Array(layout.total);
  const v = new Float64Array(layout.total);
  const grad = new Float64Array(layout.total);
  const b1 = 0.9;
  const b2 = 0.999;
  const eps = 1e-8;
  const n = data.count;
  const stepsPerEpoch = Math.ceil(n / opts.batchSize);
  const totalSteps = stepsPerEpoch * opts.epochs;
  const order = new Int32Array(n);
  const history: EpochStats[] = [];
  const t0 = Date.now();
  let step = 0;
  try {
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const te = Date.now();
      for (let i = 0; i < n; i++) order[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      let lossSum = 0;
      let correct = 0;
      for (let start = 0; start < n; start += opts.batchSize) {
        const end = Math.min(n, start + opts.batchSize);
        const scale = 1 / (end - start);
        const jobs: MicroBatchJob[] = [];
        for (let s = start, slot = 0; s < end; s += opts.microBatch, slot++) jobs.push({ slot, indices: order.slice(s, Math.min(end, s + opts.microBatch)), scale });
        const results = await pool.run(jobs);
        grad.fill(0);
        for (const r of results) {
          lossSum += r.loss;
          correct += r.correct;
          const g = slots[r.slot];
          for (let k = 0; k < grad.length; k++) grad[k] += g[k];
        }
        step++;
        const warm = Math.min(1, step / Math.max(1, Math.min(opts.warmupSteps, stepsPerEpoch)));
        const lr = opts.lr * warm * 0.5 * (1 + Math.cos((Math.PI * Math.min(step, totalSteps)) / totalSteps));
        const bc1 = 1 - Math.pow(b1, step);
        const bc2 = 1 - Math.pow(b2, step);
        for (let k = 0; k < grad.length; k++) {
          const g = grad[k];
          m[k] = b1 * m[k] + (1 - b1) * g;
          v[k] = b2 * v[k] + (1 - b2) * g * g;
          let p = params[k];
          if (decay[k]) p -= lr * opts.weightDecay * p;
          params[k] = p - (lr * (m[k] / bc1)) / (Math.sqrt(v[k] / bc2) + eps);
        }
      }
      const stats: EpochStats = { epoch, loss: lossSum / n, accuracy: correct / n, seconds: (Date.now() - te) / 1000 };
      if (opts.validation) {
        const probs = predict(layout, params, opts.validation.inputs, opts.validation.count);
        stats.validationAccuracy = accuracy(probs, opts.validation.labels);
      }
      history.push(stats);
      opts.log?.(
        `epoch ${epoch}/${opts.epochs}: loss ${stats.loss.toFixed(4)}, train acc ${(100 * stats.accuracy).toFixed(1)}%` +
          (stats.validationAccuracy !== undefined ? `, validation acc ${(100 * stats.validationAccuracy).toFixed(1)}%` : "") +
          ` (${stats.seconds.toFixed(1)} s)`,
      );
    }
  } finally {
    await pool.close();
  }
  return { layout, params: Float32Array.from(params), history, seconds: (Date.now() - t0) / 1000 };
}
