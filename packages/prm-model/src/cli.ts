#!/usr/bin/env node
// finepr: train, evaluate and benchmark the default FinePRM model.
//
//   node packages/prm-model/dist/cli.js train --seed 1 --samples 90000 --out models/finepr/2
//   node packages/prm-model/dist/cli.js eval  --model models/finepr/2
//   node packages/prm-model/dist/cli.js bench --model models/finepr/2
//   node packages/prm-model/dist/cli.js glyphs   (re-renders glyphs/dejavu.json, the encoder's type)
//
// train: ChartWorld PRM samples of the train split → network → model.onnx + config.json, then the
// held-out test split → eval.json (and config.json's "eval"). Deterministic for a seed: options
// that only change speed (--threads, --cache) do not change a byte of model.onnx.
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { textWidth } from "@sketchvl/chartworld";
import * as ort from "onnxruntime-node";
import { buildDataset, type EncodedDataset } from "./dataset";
import { evaluatePredictions, formatConfusion, runOnnx, type EvalReport } from "./evaluate";
import { evalSummary, modelConfig, modelDocString, readConfig, writeJson, writeModelDir, type TrainedInfo } from "./model-files";
import { predict } from "./network";
import { exportOnnx } from "./onnx-export";
import { benchmark } from "./bench";
import { atlasJson, GLYPH_FILE, renderGlyphAtlas } from "./glyphs";
import { defaultTrainOptions, train } from "./train";

type Args = Map<string, string>;

/** The defaults are the shipped model's settings (models/finepr/2). */
const DEFAULT_SAMPLES = 90000;
const DEFAULT_COPIES = 2;
const DEFAULT_TEST_SAMPLES = 8000;
/** Validation samples scored after each epoch (for the log only: they do not change the model). */
const DEFAULT_VALIDATION = 2000;

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

/** The test split's encoded samples. */
function testSet(args: Args): Promise<EncodedDataset> {
  return buildDataset({ split: "test", count: num(args, "test-samples", DEFAULT_TEST_SAMPLES), workers: num(args, "threads", 2), cacheDir: args.get("cache"), log });
}

/** Scores `model` (a model directory, or the ONNX bytes themselves) on `data`. */
async function evaluateModel(model: string | Uint8Array, data: EncodedDataset): Promise<{ report: EvalReport; probs: Float32Array }> {
  const options: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: "all" };
  const session = typeof model === "string" ? await ort.InferenceSession.create(join(model, "model.onnx"), options) : await ort.InferenceSession.create(model, options);
  try {
    const probs = await runOnnx(session, data);
    return { report: evaluatePredictions(probs, data), probs };
  } finally {
    await session.release();
  }
}

function printReport(r: EvalReport): void {
  log(`${r.split}: ${r.samples} samples, exact ${(100 * r.exact).toFixed(2)}%, within one ${(100 * r.withinOne).toFixed(2)}%, mean |E[score] − ref| ${r.meanAbsScoreError.toFixed(3)}`);
  console.error(formatConfusion(r.confusion));
  for (const [t, m] of Object.entries(r.perType)) log(`  ${t.padEnd(8)} n=${m.samples} exact ${(100 * m.exact).toFixed(1)}% within one ${(100 * m.withinOne).toFixed(1)}%`);
  for (const [t, m] of Object.entries(r.perNoise)) log(`  ${t.padEnd(14)} n=${m.samples} exact ${(100 * m.exact).toFixed(1)}% within one ${(100 * m.withinOne).toFixed(1)}%`);
}

async function cmdTrain(args: Args): Promise<void> {
  const seed = num(args, "seed", 1);
  const samples = num(args, "samples", DEFAULT_SAMPLES);
  const out = resolve(args.get("out") ?? "models/finepr/2");
  const opts = defaultTrainOptions(seed);
  opts.epochs = num(args, "epochs", opts.epochs);
  opts.lr = num(args, "lr", opts.lr);
  opts.batchSize = num(args, "batch", opts.batchSize);
  opts.weightDecay = num(args, "weight-decay", opts.weightDecay);
  opts.threads = num(args, "threads", opts.threads);
  opts.log = log;
  const hidden = args.get("hidden");
  if (hidden) opts.arch.hidden = hidden.split(",").map(Number);
  const channels = args.get("channels");
  if (channels) for (const t of opts.arch.towers) t.channels = channels.split(",").map(Number);
  const t0 = Date.now();
  const copies = num(args, "copies", DEFAULT_COPIES);
  const data = await buildDataset({ split: "train", count: samples, copies, workers: opts.threads, cacheDir: args.get("cache"), log });
  const dataSeconds = (Date.now() - t0) / 1000;
  const validation = num(args, "validation", DEFAULT_VALIDATION);
  if (validation > 0) opts.validation = await buildDataset({ split: "validation", count: validation, workers: opts.threads, cacheDir: args.get("cache"), log });
  const result = await train(data, opts);
  log(`trained ${result.layout.total} parameters in ${result.seconds.toFixed(1)} s`);
  // The command recorded in config.json: everything that changes the model (not --threads, --cache,
  // --validation, --test-samples or --no-eval).
  const quiet = new Set(["threads", "cache", "out", "seed", "samples", "validation", "test-samples", "no-eval"]);
  const shown = [...args].filter(([k]) => !quiet.has(k));
  const command = ["node packages/prm-model/dist/cli.js train", `--seed ${seed}`, `--samples ${samples}`, `--out ${args.get("out") ?? "models/finepr/2"}`, ...shown.map(([k, v]) => `--${k} ${v}`)].join(" ");
  const trained: TrainedInfo = {
    seed,
    samples,
    copies,
    command,
    split: "train",
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    lr: opts.lr,
    weightDecay: opts.weightDecay,
    architecture: opts.arch,
    parameters: result.layout.total,
    macsPerStep: result.layout.macsPerStep(),
  };
  const bytes = exportOnnx(result.layout, result.params, { docString: modelDocString(command) });
  const training = { dataSeconds, dataFromCache: data.fromCache === true, trainSeconds: result.seconds, threads: opts.threads, history: result.history, validation: validation || undefined };
  let report: EvalReport | undefined;
  if (!args.has("no-eval")) {
    const test = await testSet(args);
    const scored = await evaluateModel(bytes, test);
    report = scored.report;
    const probs = scored.probs;
    // The exported graph must compute what was trained.
    const ref = predict(result.layout, result.params, test.inputs, test.count);
    let maxDiff = 0;
    for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref[i] - probs[i]));
    log(`ONNX vs TypeScript forward on ${test.count} test steps: max |Δp| = ${maxDiff.toExponential(2)}`);
    if (maxDiff > 1e-4) throw new Error(`ONNX export disagrees with the trained network (max |Δp| ${maxDiff})`);
    printReport(report);
  }
  writeModelDir(out, bytes, modelConfig(trained, report));
  log(`wrote ${join(out, "model.onnx")} (${bytes.length} bytes)`);
  if (report) writeJson(join(out, "eval.json"), report);
  writeJson(join(out, "training.json"), { ...training, totalSeconds: (Date.now() - t0) / 1000 });
}

async function cmdEval(args: Args): Promise<void> {
  const dir = resolve(args.get("model") ?? "models/finepr/2");
  const config = readConfig(dir);
  const test = await testSet(args);
  const { report } = await evaluateModel(dir, test);
  printReport(report);
  writeJson(resolve(dir, args.get("report") ?? "eval.json"), report);
  if (!args.has("report")) {
    config.eval = evalSummary(report);
    writeJson(join(dir, "config.json"), config);
  }
}

async function cmdBench(args: Args): Promise<void> {
  const dir = resolve(args.get("model") ?? "models/finepr/2");
  const rows = await benchmark(join(dir, "model.onnx"), { batches: (args.get("batches") ?? "1,8,64").split(",").map(Number), log });
  console.log(JSON.stringify(rows, null, 2));
}

const HELP = `usage:
  cli.js train --seed S --samples N --out DIR [--copies C] [--epochs E] [--lr X] [--batch B] [--hidden H,..] [--channels C,..]
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
