#!/usr/bin/env node
// finepr: train, evaluate and benchmark the default FinePRM model.
//
//   node packages/prm-model/dist/cli.js train --seed 1 --samples 90000 --out models/finepr/2
//   node packages/prm-model/dist/cli.js eval  --model models/finepr/2
//   node packages/prm-model/dist/cli.js bench --model models/finepr/2
//   node packages/prm-model/dist/cli.js glyphs   (re-renders glyphs/dejavu.json, the encoder's type)
//
// train: ChartWorld PRM samples of the train split → drawn and encoded here (dataset.ts, the
// serving encoder) into .npy folders → the PyTorch trainer (train/main.py: network, autograd, AdamW,
// torch.onnx.export) → model.onnx + config.json, then the held-out test split through model.onnx
// in onnxruntime-node → eval.json (and config.json's "eval"). Deterministic for a seed on one
// machine: --threads (dataset workers) and --cache do not change a byte; --torch-threads may.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { textWidth } from "@sketchvl/chartworld";
import * as ort from "onnxruntime-node";
import { buildDataset, readDataset, type EncodedDataset } from "./dataset";
import { evaluatePredictions, formatConfusion, runOnnx, type EvalReport } from "./evaluate";
import { evalSummary, modelConfig, modelDocString, readConfig, writeJson, writeModelDir, type TrainedInfo } from "./modelFiles";
import { trainInPython } from "./pythonTrain";
import { benchmark } from "./bench";
import { atlasJson, GLYPH_FILE, renderGlyphAtlas } from "./glyphs";

type Args = Map<string, string>;

/** The defaults are the shipped model's settings (models/finepr/2). */
const DEFAULT_SAMPLES = 90000;
const DEFAULT_COPIES = 2;
/** Samples encoded with nothing drawn, labelled unacceptable (dataset.ts "no-mark"). */
const DEFAULT_NO_MARK = 4000;
const DEFAULT_TEST_SAMPLES = 8000;
/** Validation samples scored after each epoch (for the log only: they do not change the model). */
const DEFAULT_VALIDATION = 2000;
const DEFAULT_EPOCHS = 5;
const DEFAULT_BATCH = 64;
const DEFAULT_LR = 2e-3;
const DEFAULT_WEIGHT_DECAY = 1e-4;
const DEFAULT_WARMUP = 200;
const DEFAULT_TORCH_THREADS = 2;
/** ONNX Runtime and PyTorch probabilities of the same model on the same test rows may differ by this much. */
const EXPORT_TOLERANCE = 1e-5;

function parseArgs(argv: string[]): { command: string; args: Args } {
  const [command = "help", ...rest] = argv;
  const args: Args = new Map();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    const next = rest[i + 1];
    if (next === undefined || next.startsWith("--")) args.set(a.slice(2), "true");
    else {
      args.set(a.slice(2), next);
      i++;
    }
  }
  return { command, args };
}

function num(args: Args, key: string, def: number): number {
  const v = args.get(key);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${key} must be a number, got ${v}`);
  return n;
}

const log = (msg: string): void => console.error(`[finepr ${new Date().toISOString().slice(11, 19)}] ${msg}`);

/**
 * The folder datasets are kept in: --cache DIR (kept between runs; clear it after changing the
 * encoding code: folders are keyed by encoding name, split, count and copies), or a temporary one.
 */
function dataRoot(args: Args): { root: string; cleanup: () => void } {
  const cache = args.get("cache");
  if (cache) return { root: resolve(cache), cleanup: () => {} };
  const root = mkdtempSync(join(tmpdir(), "finepr-data-"));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The test split's dataset folder under `root`. */
function testSet(args: Args, root: string) {
  return buildDataset({ split: "test", count: num(args, "test-samples", DEFAULT_TEST_SAMPLES), workers: num(args, "threads", 2), root, log });
}

/** Scores `model` (a model directory, or the ONNX bytes themselves) on `data`. */
async function evaluateModel(model: string | Uint8Array, data: EncodedDataset): Promise<{ report: EvalReport; probs: Float32Array }> {
  const options: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: "all" };
  const session =
    typeof model === "string" ? await ort.InferenceSession.create(join(model, "model.onnx"), options) : await ort.InferenceSession.create(model, options);
  try {
    const probs = await runOnnx(session, data);
    return { report: evaluatePredictions(probs, data), probs };
  } finally {
    await session.release();
  }
}

function printReport(r: EvalReport): void {
  log(
    `${r.split}: ${r.samples} samples, exact ${(100 * r.exact).toFixed(2)}%, within one ${(100 * r.withinOne).toFixed(2)}%, mean |E[score] − ref| ${r.meanAbsScoreError.toFixed(3)}`,
  );
  console.error(formatConfusion(r.confusion));
  for (const [t, m] of Object.entries(r.perType))
    log(`  ${t.padEnd(8)} n=${m.samples} exact ${(100 * m.exact).toFixed(1)}% within one ${(100 * m.withinOne).toFixed(1)}%`);
  for (const [t, m] of Object.entries(r.perNoise))
    log(`  ${t.padEnd(14)} n=${m.samples} exact ${(100 * m.exact).toFixed(1)}% within one ${(100 * m.withinOne).toFixed(1)}%`);
}

const list = (v: string | undefined): number[] | undefined => (v ? v.split(",").map(Number) : undefined);

async function cmdTrain(args: Args): Promise<void> {
  const seed = num(args, "seed", 1);
  const samples = num(args, "samples", DEFAULT_SAMPLES);
  const out = resolve(args.get("out") ?? "models/finepr/2");
  const copies = num(args, "copies", DEFAULT_COPIES);
  const workers = num(args, "threads", 2);
  const validationCount = num(args, "validation", DEFAULT_VALIDATION);
  const evaluate = !args.has("no-eval");
  const t0 = Date.now();
  const { root, cleanup } = dataRoot(args);
  const runDir = mkdtempSync(join(tmpdir(), "finepr-run-"));
  try {
    const train = await buildDataset({ split: "train", count: samples, copies, workers, root, log });
    const noMarkCount = num(args, "no-mark", DEFAULT_NO_MARK);
    const noMark = noMarkCount > 0 ? await buildDataset({ split: "train", count: noMarkCount, noMark: true, workers, root, log }) : undefined;
    const dataSeconds = (Date.now() - t0) / 1000;
    const validation = validationCount > 0 ? await buildDataset({ split: "validation", count: validationCount, workers, root, log }) : undefined;
    const test = evaluate ? await testSet(args, root) : undefined;
    // The command recorded in config.json: everything that changes the model (not --threads, --cache,
    // --validation, --test-samples or --no-eval).
    const quiet = new Set(["threads", "cache", "out", "seed", "samples", "validation", "test-samples", "no-eval"]);
    const shown = [...args].filter(([k]) => !quiet.has(k));
    const command = [
      "node packages/prm-model/dist/cli.js train",
      `--seed ${seed}`,
      `--samples ${samples}`,
      `--out ${args.get("out") ?? "models/finepr/2"}`,
      ...shown.map(([k, v]) => `--${k} ${v}`),
    ].join(" ");
    const t1 = Date.now();
    const result = await trainInPython({
      train: noMark ? [train.dir, noMark.dir] : [train.dir],
      validation: validation?.dir,
      test: test?.dir,
      out: runDir,
      seed,
      epochs: num(args, "epochs", DEFAULT_EPOCHS),
      batchSize: num(args, "batch", DEFAULT_BATCH),
      lr: num(args, "lr", DEFAULT_LR),
      weightDecay: num(args, "weight-decay", DEFAULT_WEIGHT_DECAY),
      warmupSteps: num(args, "warmup", DEFAULT_WARMUP),
      threads: num(args, "torch-threads", DEFAULT_TORCH_THREADS),
      channels: list(args.get("channels")),
      hidden: list(args.get("hidden")),
      docString: modelDocString(command),
      log: (line) => log(`python: ${line}`),
    });
    const pythonSeconds = (Date.now() - t1) / 1000;
    const r = result.report;
    log(`trained ${r.parameters} parameters in ${r.trainSeconds.toFixed(1)} s (${r.framework}, ${r.threads} threads)`);
    const trained: TrainedInfo = {
      seed,
      samples,
      copies,
      noMark: noMarkCount,
      command,
      split: "train",
      framework: r.framework,
      threads: r.threads,
      epochs: r.options.epochs,
      batchSize: r.options.batch_size,
      lr: r.options.lr,
      weightDecay: r.options.weight_decay,
      warmupSteps: r.options.warmup_steps,
      architecture: r.architecture,
      parameters: r.parameters,
      macsPerStep: r.macsPerStep,
    };
    let report: EvalReport | undefined;
    let maxDiff: number | undefined;
    let evalSeconds: number | undefined;
    if (test) {
      const t2 = Date.now();
      const data = readDataset(test.dir);
      const scored = await evaluateModel(result.onnx, data);
      evalSeconds = (Date.now() - t2) / 1000;
      report = scored.report;
      // The exported graph must compute what was trained.
      const ref = result.testProbs;
      if (!ref || ref.length !== scored.probs.length) throw new Error("the trainer wrote no PyTorch probabilities for the test rows");
      maxDiff = 0;
      for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref[i] - scored.probs[i]));
      log(`ONNX Runtime vs PyTorch on ${data.count} test steps: max |Δp| = ${maxDiff.toExponential(2)}`);
      if (maxDiff > EXPORT_TOLERANCE) throw new Error(`model.onnx disagrees with the trained network (max |Δp| ${maxDiff})`);
      printReport(report);
    }
    writeModelDir(out, result.onnx, modelConfig(trained, report));
    log(`wrote ${join(out, "model.onnx")} (${result.onnx.length} bytes)`);
    if (report) writeJson(join(out, "eval.json"), report);
    const training = {
      dataSeconds,
      dataFromCache: train.fromCache,
      trainSeconds: r.trainSeconds,
      exportSeconds: r.exportSeconds,
      pythonSeconds,
      evalSeconds,
      framework: r.framework,
      threads: r.threads,
      history: r.history,
      validation: validationCount || undefined,
      onnxVsTorchMaxAbsDiff: maxDiff,
      totalSeconds: (Date.now() - t0) / 1000,
    };
    writeJson(join(out, "training.json"), training);
  } finally {
    rmSync(runDir, { recursive: true, force: true });
    cleanup();
  }
}

async function cmdEval(args: Args): Promise<void> {
  const dir = resolve(args.get("model") ?? "models/finepr/2");
  const config = readConfig(dir);
  const { root, cleanup } = dataRoot(args);
  try {
    const test = readDataset((await testSet(args, root)).dir);
    const { report } = await evaluateModel(dir, test);
    printReport(report);
    writeJson(resolve(dir, args.get("report") ?? "eval.json"), report);
    if (!args.has("report")) {
      config.eval = evalSummary(report);
      writeJson(join(dir, "config.json"), config);
    }
  } finally {
    cleanup();
  }
}

async function cmdBench(args: Args): Promise<void> {
  const dir = resolve(args.get("model") ?? "models/finepr/2");
  const rows = await benchmark(join(dir, "model.onnx"), { batches: (args.get("batches") ?? "1,8,64").split(",").map(Number), log });
  console.log(JSON.stringify(rows, null, 2));
}

const HELP = `usage:
  cli.js train --seed S --samples N --out DIR [--copies C] [--no-mark K] [--epochs E] [--lr X] [--weight-decay W] [--warmup S] [--batch B]
               [--hidden H,..] [--channels C,..] [--torch-threads N]
               [--validation V] [--test-samples M] [--threads T] [--cache DIR] [--no-eval]
  cli.js eval  --model DIR [--test-samples M] [--threads T] [--cache DIR] [--report FILE]
  cli.js bench --model DIR [--batches 1,8,64]
  cli.js glyphs`;

async function main(): Promise<void> {
  const { command, args } = parseArgs(process.argv.slice(2));
  if (command === "train") await cmdTrain(args);
  else if (command === "eval") await cmdEval(args);
  else if (command === "bench") await cmdBench(args);
  else if (command === "glyphs") writeFileSync(GLYPH_FILE, atlasJson(await renderGlyphAtlas(textWidth)));
  else {
    console.error(HELP);
    process.exitCode = command === "help" || command === "--help" ? 0 : 2;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
