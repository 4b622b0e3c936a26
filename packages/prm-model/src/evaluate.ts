// Scoring a model against ChartWorld's reference labels: exact 4-way accuracy, within-one-level
// accuracy, the confusion matrix, and the same per action type and per noise kind. Also runs an
// ONNX model over an encoded dataset with onnxruntime-node.
import * as ort from "onnxruntime-node";
import { NOISE_KINDS } from "@sketchvl/chartworld";
import { expectedPrmScore, PRM_LABEL_SCORES } from "@sketchvl/contract";
import { DATASET_TYPES, perStep, type EncodedDataset } from "./dataset";
import { INPUTS, LABELS } from "./features";

const K = LABELS.length;

/** The most probable class of row `s` of probabilities [n × K] (the first one on ties). */
export function argmax(probs: Float32Array, s: number, K: number): number {
  let best = 0;
  for (let k = 1; k < K; k++) if (probs[s * K + k] > probs[s * K + best]) best = k;
  return best;
}

export interface Metrics {
  samples: number;
  exact: number;
  withinOne: number;
  /** Mean |E[score] − reference score| on the 4..1 scale (E under the predicted probabilities). */
  meanAbsScoreError: number;
  /** confusion[reference][predicted], both in LABELS order. */
  confusion: number[][];
}

export interface EvalReport extends Metrics {
  split: string;
  labels: readonly string[];
  perType: Record<string, Metrics>;
  perNoise: Record<string, Metrics>;
}

class Tally {
  n = 0;
  exact = 0;
  within = 0;
  absErr = 0;
  confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));

  add(ref: number, pred: number, expectedScore: number): void {
    this.n++;
    if (ref === pred) this.exact++;
    if (Math.abs(ref - pred) <= 1) this.within++;
    this.absErr += Math.abs(expectedScore - PRM_LABEL_SCORES[ref]);
    this.confusion[ref][pred]++;
  }

  metrics(): Metrics {
    const r = (x: number): number => Math.round(x * 10000) / 10000;
    return {
      samples: this.n,
      exact: r(this.n ? this.exact / this.n : 0),
      withinOne: r(this.n ? this.within / this.n : 0),
      meanAbsScoreError: r(this.n ? this.absErr / this.n : 0),
      confusion: this.confusion,
    };
  }
}

/** Metrics of predicted probabilities [n × 4] against the dataset's reference labels. */
export function evaluatePredictions(probs: Float32Array, data: EncodedDataset): EvalReport {
  const all = new Tally();
  const perType = new Map<string, Tally>();
  const perNoise = new Map<string, Tally>();
  for (let s = 0; s < data.count; s++) {
    const best = argmax(probs, s, K);
    const expected = expectedPrmScore(probs.subarray(s * K, s * K + K));
    const ref = data.labels[s];
    all.add(ref, best, expected);
    const type = DATASET_TYPES[data.types[s]];
    if (!perType.has(type)) perType.set(type, new Tally());
    perType.get(type)!.add(ref, best, expected);
    const noise = data.noise[s];
    if (!perNoise.has(noise)) perNoise.set(noise, new Tally());
    perNoise.get(noise)!.add(ref, best, expected);
  }
  const byKey = (m: Map<string, Tally>, order: readonly string[]): Record<string, Metrics> =>
    Object.fromEntries(
      [...m.entries()].sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]) || a[0].localeCompare(b[0])).map(([k, t]) => [k, t.metrics()]),
    );
  return {
    split: data.split,
    labels: LABELS,
    ...all.metrics(),
    perType: byKey(perType, DATASET_TYPES),
    perNoise: byKey(perNoise, NOISE_KINDS),
  };
}

/** Runs an ONNX model over the whole dataset in batches; returns probabilities [n × 4]. */
export async function runOnnx(session: ort.InferenceSession, data: EncodedDataset, batch = 64): Promise<Float32Array> {
  const out = new Float32Array(data.count * K);
  for (let start = 0; start < data.count; start += batch) {
    const n = Math.min(batch, data.count - start);
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of INPUTS) {
      const len = perStep(input.name);
      feeds[input.name] = new ort.Tensor("float32", data.inputs[input.name].slice(start * len, (start + n) * len), [n, ...input.shape]);
    }
    const r = await session.run(feeds);
    out.set(r.probabilities.data as Float32Array, start * K);
  }
  return out;
}

/** A text table of a confusion matrix (rows: reference, columns: predicted). */
export function formatConfusion(m: number[][]): string {
  const head = ["ref \\ pred", ...LABELS];
  const rows = m.map((r, i) => [LABELS[i], ...r.map(String)]);
  return [head, ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}
