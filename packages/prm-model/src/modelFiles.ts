// The model repository entry: models/<name>/<version>/{model.onnx, config.json, eval.json,
// training.json}. model.onnx, config.json and eval.json are deterministic for a seed and sample
// count; training.json holds what is not (wall-clock times).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EvalReport } from "./evaluate";
import { FEATURE_SET, INPUTS, LABELS } from "./features";
import type { Architecture } from "./pythonTrain";

/** The exported graph's opset and output (train/export.py). */
export const OPSET = 13;
export const OUTPUT_NAME = "probabilities";

export interface TrainedInfo {
  seed: number;
  /** ChartWorld PRM samples of the train split. */
  samples: number;
  /** Encodings per sample (1 + jittered copies). */
  copies: number;
  /** Extra train-split samples encoded with nothing drawn, labelled unacceptable (dataset.ts). */
  noMark: number;
  command: string;
  split: "train";
  /** What computed the gradients and wrote model.onnx (train/*.py). */
  framework: string;
  /** PyTorch threads: with the seed, what fixes the bits (train/train.py). */
  threads: number;
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  warmupSteps: number;
  architecture: Architecture;
  parameters: number;
  macsPerStep: number;
}

export interface ModelConfigFile {
  backend: "onnx";
  features: string;
  inputs: string[];
  inputShapes: Record<string, (number | string)[]>;
  output: string;
  labels: string[];
  opset: number;
  trained: TrainedInfo;
  eval?: Pick<EvalReport, "split" | "samples" | "exact" | "withinOne" | "meanAbsScoreError"> & {
    perType: Record<string, { exact: number; withinOne: number }>;
  };
}

export function modelConfig(trained: TrainedInfo, report?: EvalReport): ModelConfigFile {
  const config: ModelConfigFile = {
    backend: "onnx",
    features: FEATURE_SET,
    inputs: INPUTS.map((i) => i.name),
    inputShapes: Object.fromEntries(INPUTS.map((i) => [i.name, ["batch", ...i.shape]])),
    output: OUTPUT_NAME,
    labels: [...LABELS],
    opset: OPSET,
    trained,
  };
  if (report) config.eval = evalSummary(report);
  return config;
}

export function evalSummary(r: EvalReport): NonNullable<ModelConfigFile["eval"]> {
  return {
    split: r.split,
    samples: r.samples,
    exact: r.exact,
    withinOne: r.withinOne,
    meanAbsScoreError: r.meanAbsScoreError,
    perType: Object.fromEntries(Object.entries(r.perType).map(([k, m]) => [k, { exact: m.exact, withinOne: m.withinOne }])),
  };
}

/** The model's doc_string: what it is and how it was trained (without --out, so the bytes do not depend on where they are written). */
export function modelDocString(command: string): string {
  return `FinePRM (${LABELS.join(" / ")}), ${FEATURE_SET}; ${command.replace(/ --out \S+/, "")}`;
}

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

export function writeModelDir(dir: string, onnxBytes: Uint8Array, config: ModelConfigFile): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "model.onnx"), onnxBytes);
  writeFileSync(join(dir, "config.json"), json(config));
}

export function readConfig(dir: string): ModelConfigFile {
  return JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as ModelConfigFile;
}

export function writeJson(file: string, value: unknown): void {
  writeFileSync(file, json(value));
}
