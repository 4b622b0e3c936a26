// Runs the PyTorch trainer (packages/prm-model/train/main.py) on dataset folders written by
// dataset.ts, and reads back what it wrote: model.onnx, report.json, test_probs.npy. The network,
// its gradients (autograd), the optimizer and the ONNX export are all on the Python side.
// Debian's /usr/bin/python3 with python3-torch, python3-numpy and python3-onnx; override with
// SKETCHVL_PYTHON (as services/learner does).
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readNpy } from "./npy";

export const PYTHON = process.env.SKETCHVL_PYTHON ?? "/usr/bin/python3";
/** The Python trainer's folder (beside src/ and dist/). */
export const TRAIN_DIR = resolve(__dirname, "..", "train");

/** Environment for the trainer; the caller's own settings win. */
const PYTHON_ENV = {
  // OpenMP threads that wait passively: spinning ones starve on a shared machine (services/learner/process_env.py).
  OMP_WAIT_POLICY: "PASSIVE",
  PYTHONDONTWRITEBYTECODE: "1",
};

/** config.json's "trained.architecture" (model.py Architecture.to_json). */
export interface Architecture {
  towers: { input: string; inChannels: number; size: number; channels: number[] }[];
  meta: number;
  hidden: number[];
  classes: number;
}

export interface EpochStats {
  epoch: number;
  loss: number;
  accuracy: number;
  validationAccuracy?: number;
  seconds: number;
}

export interface TrainReport {
  framework: string;
  threads: number;
  architecture: Architecture;
  parameters: number;
  macsPerStep: number;
  opset: number;
  options: { seed: number; epochs: number; batch_size: number; lr: number; weight_decay: number; betas: number[]; eps: number; warmup_steps: number };
  history: EpochStats[];
  trainSeconds: number;
  exportSeconds: number;
}

export interface PythonTrainOptions {
  /** Dataset folders (dataset.ts); several are trained on as one. */
  train: string[];
  validation?: string;
  /** Scored by PyTorch after training (test_probs.npy), to check the exported graph against. */
  test?: string;
  /** Where the trainer writes model.onnx, report.json, test_probs.npy. */
  out: string;
  seed: number;
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  warmupSteps: number;
  /** PyTorch / OpenBLAS threads. Part of what fixes the bits: another count may change the last bits of the weights. */
  threads: number;
  channels?: number[];
  hidden?: number[];
  /** Optimizer steps after which to stop (tests). */
  maxSteps?: number;
  /** Stored as the ONNX model's doc_string. */
  docString?: string;
  /** Receives the trainer's progress lines. */
  log?: (line: string) => void;
}

export interface PythonTrainResult {
  report: TrainReport;
  onnx: Uint8Array;
  /** PyTorch's probabilities [n × 4] on the test folder's rows, when one was given. */
  testProbs?: Float32Array;
}

/** Trains, exports and scores in one Python process; rejects with the trainer's last output if it fails. */
export async function trainInPython(opts: PythonTrainOptions): Promise<PythonTrainResult> {
  const args = [
    join(TRAIN_DIR, "main.py"),
    ...opts.train.flatMap((dir) => ["--train", dir]),
    "--out",
    opts.out,
    "--seed",
    String(opts.seed),
    "--epochs",
    String(opts.epochs),
    "--batch",
    String(opts.batchSize),
    "--lr",
    String(opts.lr),
    "--weight-decay",
    String(opts.weightDecay),
    "--warmup",
    String(opts.warmupSteps),
    "--threads",
    String(opts.threads),
  ];
  if (opts.validation) args.push("--validation", opts.validation);
  if (opts.test) args.push("--test", opts.test);
  if (opts.channels) args.push("--channels", opts.channels.join(","));
  if (opts.hidden) args.push("--hidden", opts.hidden.join(","));
  if (opts.maxSteps !== undefined) args.push("--max-steps", String(opts.maxSteps));
  if (opts.docString) args.push("--doc-string", opts.docString);
  await runPython(args, opts.log);
  const report = JSON.parse(readFileSync(join(opts.out, "report.json"), "utf8")) as TrainReport;
  const onnx = readFileSync(join(opts.out, "model.onnx"));
  const probsFile = join(opts.out, "test_probs.npy");
  const testProbs = opts.test && existsSync(probsFile) ? (readNpy(probsFile).data as Float32Array) : undefined;
  return { report, onnx, testProbs };
}

/** Runs `python args...` with its output going to `log` line by line. */
export function runPython(args: string[], log?: (line: string) => void, cwd = TRAIN_DIR): Promise<void> {
  return new Promise((done, reject) => {
    const child = spawn(PYTHON, args, { cwd, env: { ...PYTHON_ENV, ...process.env }, stdio: ["ignore", "pipe", "pipe"] });
    const tail: string[] = [];
    const lines = (stream: NodeJS.ReadableStream): void => {
      let pending = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        pending += chunk;
        const parts = pending.split("\n");
        pending = parts.pop()!;
        for (const line of parts) {
          tail.push(line);
          if (tail.length > 40) tail.shift();
          log?.(line);
        }
      });
      stream.on("end", () => {
        if (pending) {
          tail.push(pending);
          log?.(pending);
        }
      });
    };
    lines(child.stdout);
    lines(child.stderr);
    child.once("error", (err) => reject(new Error(`cannot run ${PYTHON} (needs Debian's python3-torch, python3-numpy, python3-onnx): ${err.message}`)));
    child.once("close", (code, signal) => {
      if (code === 0) done();
      else reject(new Error(`${PYTHON} ${args[0]} failed (${signal ?? `exit ${code}`}):\n${tail.join("\n")}`));
    });
  });
}
