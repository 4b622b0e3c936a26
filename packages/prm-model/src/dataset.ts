// ChartWorld PRM samples, drawn and encoded with prepareBatch's own encoder, written as a folder of
// .npy files: what the Python trainer (packages/prm-model/train) reads, and the --cache format.
//
//   <dir>/local.npy    float32 [N, 5, 32, 32]    the model's four inputs, row i = encoding i
//         context.npy  float32 [N, 5, 16, 16]
//         ends.npy     float32 [N, 10, 16, 16]
//         meta.npy     float32 [N, 108]
//         labels.npy   uint8 [N]   index into LABELS
//         types.npy    uint8 [N]   index into DATASET_TYPES
//         chart_seeds.npy int32 [N]
//         info.json    { features, split, samples, copies, count: N, charts, noise: [N noise kinds] }
//
// A dataset of `samples` samples is made of shards: shard k is generatePrmDataset({split, count:
// 2000, offset: k·2000}), ChartWorld's own generator (labels 2:4:3:1 within each of the four action
// types, types balanced 1:1:1:1), starting 2000·k seeds into the split. Each shard keeps the ratios
// exactly, so their union does too, and shards can be made in parallel: a worker generates a shard,
// draws and encodes its samples and writes them at their fixed rows, so the files do not depend on
// the number of workers (and no process holds the whole dataset in memory). With copies > 1, copy c
// of sample i (c ≥ 1: windows jittered, see features.ts jitterWindow) is row c·samples + i. Shards
// must not share charts; buildDataset checks it. The folder is assembled under a temporary name and
// renamed into place, so a folder with info.json is complete.
//
// A "no-mark" dataset (noMark: true) holds the same kind of samples encoded as if nothing had been
// drawn (after image = before image, so every change channel is 0), all labelled unacceptable: a
// step whose after-image does not show its action does not realize its intent. ChartWorld's PRM
// set never has such a step, so without them the model's rating of one is arbitrary.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { generatePrmDataset, Rng, SCORED_ACTION_TYPES, type Split } from "@sketchvl/chartworld";
import { encodeJitteredCopy, encodeStep, FEATURE_SET, INPUTS, LABELS, type InputName } from "./features";
import { createNpy, readNpy, writeNpy, writeNpyRows } from "./npy";
import { StepImages } from "./stepImages";

/**
 * Action kinds (the contract's names) in the order of EncodedDataset.types: ChartWorld's scored
 * kinds in its order, then text (never produced by ChartWorld). Cached datasets store indices into
 * this list, so its order is fixed.
 */
export const DATASET_TYPES = [...SCORED_ACTION_TYPES, "text"] as const;

/** Samples per shard, and the seed stride between shards. */
export const SHARD_SIZE = 2000;

/** A dataset in memory (evaluation, tests). */
export interface EncodedDataset {
  split: Split;
  /** Encoded samples (jittered copies included). */
  count: number;
  inputs: Record<InputName, Float32Array>;
  /** Index into LABELS. */
  labels: Uint8Array;
  /** Index into DATASET_TYPES. */
  types: Uint8Array;
  /** Chart seed of each sample (the split is a function of it). */
  chartSeeds: Int32Array;
  /** Noise kind of each sample (chartworld NOISE_KINDS). */
  noise: string[];
}

/** info.json of a dataset folder. */
export interface DatasetInfo {
  features: string;
  split: Split;
  /** ChartWorld samples. */
  samples: number;
  /** Encodings per sample. */
  copies: number;
  /** Rows: samples × copies. */
  count: number;
  /** Distinct charts. */
  charts: number;
  noise: string[];
}

export const perStep = (name: InputName): number => INPUTS.find((i) => i.name === name)!.shape.reduce((a: number, b: number) => a * b, 1);
const shapeOf = (name: InputName, rows: number): number[] => [rows, ...INPUTS.find((i) => i.name === name)!.shape];
const inputFile = (dir: string, name: InputName): string => join(dir, `${name}.npy`);

export interface ShardSpec {
  split: Split;
  /** Samples in this shard. */
  count: number;
  /** Seed offset into the split. */
  offset: number;
  /** Index of the shard's first sample in the dataset. */
  base: number;
  /** Encodings per sample (1 + jittered copies, see features.ts jitterWindow). */
  copies: number;
  /** Samples in the whole dataset: copy c of sample i is stored at row c·stride + i. */
  stride: number;
  /** Encode as if nothing was drawn (after = before), labelled unacceptable. */
  noMark?: boolean;
}

/** Per-sample facts of a shard, in shard order. */
export interface ShardMeta {
  labels: number[];
  types: number[];
  chartSeeds: number[];
  noise: string[];
}

/** The shards of a dataset of `count` samples. */
export function shardsOf(split: Split, count: number, copies = 1, noMark = false): ShardSpec[] {
  const out: ShardSpec[] = [];
  for (let base = 0, k = 0; base < count; base += SHARD_SIZE, k++)
    out.push({ split, count: Math.min(SHARD_SIZE, count - base), offset: k * SHARD_SIZE, base, copies, stride: count, noMark });
  return out;
}

/** Generates one shard, encodes its samples and writes them at their rows of the dataset folder `dir` (in this thread). */
export async function encodeShard(shard: ShardSpec, dir: string): Promise<ShardMeta> {
  const samples = await generatePrmDataset({ split: shard.split, count: shard.count, offset: shard.offset });
  const n = shard.count;
  // The shard's rows: copy c of its sample i at c·n + i.
  const inputs = {} as Record<InputName, Float32Array>;
  for (const { name } of INPUTS) inputs[name] = new Float32Array(shard.copies * n * perStep(name));
  // Draw chart by chart (the chart and its before images are cached per chart); store in shard order.
  const order = samples.map((_, i) => i).sort((a, b) => samples[a].chartSeed - samples[b].chartSeed || a - b);
  const images = new StepImages();
  for (const i of order) {
    const s = samples[i];
    const { before, after } = await images.images(s);
    const step = { intent: s.intent, action: s.action, before, after: shard.noMark ? before : after };
    encodeStep(step, i, inputs);
    for (let c = 1; c < shard.copies; c++) {
      const rng = new Rng(s.chartSeed, `finepr-jitter:${s.id}:${c}`);
      encodeJitteredCopy(step, i, c * n + i, inputs, () => rng.next());
    }
  }
  const rows = shard.copies * shard.stride;
  for (const { name } of INPUTS) {
    const len = perStep(name);
    for (let c = 0; c < shard.copies; c++)
      writeNpyRows(inputFile(dir, name), "<f4", shapeOf(name, rows), c * shard.stride + shard.base, inputs[name].subarray(c * n * len, (c + 1) * n * len));
  }
  return {
    labels: samples.map((s) => LABELS.indexOf(shard.noMark ? "unacceptable" : s.label)),
    types: samples.map((s) => DATASET_TYPES.indexOf(s.actionType)),
    chartSeeds: samples.map((s) => s.chartSeed),
    noise: samples.map((s) => (shard.noMark ? "no-mark" : s.noise)),
  };
}

export interface BuildOptions {
  split: Split;
  /** Samples (before augmentation). */
  count: number;
  /** Encodings per sample: 1 (default) or more, the extra ones with jittered windows (training only). */
  copies?: number;
  /** A no-mark dataset (see the file comment; training only). */
  noMark?: boolean;
  /** Worker threads; 0 encodes in this thread. Does not change the result. */
  workers?: number;
  /** The folder datasets live in: one sub-folder per feature set, split, count and copies (reused when it exists). */
  root: string;
  log?: (msg: string) => void;
}

/** The folder of a dataset under `root`. */
export function datasetDir(root: string, split: Split, count: number, copies = 1, noMark = false): string {
  return join(root, `${FEATURE_SET}-${split}${noMark ? "-nomark" : ""}-${count}${copies > 1 ? `x${copies}` : ""}`);
}

export interface BuiltDataset {
  dir: string;
  info: DatasetInfo;
  /** Found complete under `root` rather than made. */
  fromCache: boolean;
}

/** Makes (or finds) the dataset folder of `count` samples of `split` under `opts.root`. */
export async function buildDataset(opts: BuildOptions): Promise<BuiltDataset> {
  const copies = opts.copies ?? 1;
  const dir = datasetDir(opts.root, opts.split, opts.count, copies, opts.noMark);
  if (existsSync(join(dir, "info.json"))) {
    opts.log?.(`dataset ${opts.split}: cached ${dir}`);
    return { dir, info: readInfo(dir), fromCache: true };
  }
  const t0 = Date.now();
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const rows = opts.count * copies;
    for (const { name } of INPUTS) createNpy(inputFile(tmp, name), "<f4", shapeOf(name, rows));
    const shards = shardsOf(opts.split, opts.count, copies, opts.noMark);
    const metas: ShardMeta[] = new Array(shards.length);
    const workers = opts.workers ?? 0;
    if (workers === 0) {
      for (let k = 0; k < shards.length; k++) metas[k] = await encodeShard(shards[k], tmp);
    } else {
      let next = 0;
      let done = 0;
      await Promise.all(
        Array.from({ length: Math.min(workers, shards.length) }, () => {
          const w = new Worker(join(__dirname, "datasetWorker.js"), { workerData: { dir: tmp } });
          return new Promise<void>((resolve, reject) => {
            let current = -1;
            const feed = (): void => {
              if (next >= shards.length) {
                void w.terminate().then(() => resolve());
                return;
              }
              current = next++;
              w.postMessage(shards[current]);
            };
            w.on("message", (m: ShardMeta) => {
              metas[current] = m;
              done += shards[current].count;
              opts.log?.(`dataset ${opts.split}: ${done}/${opts.count} samples (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
              feed();
            });
            w.on("error", reject);
            feed();
          });
        }),
      );
    }
    const all: ShardMeta = { labels: [], types: [], chartSeeds: [], noise: [] };
    for (const m of metas) {
      all.labels.push(...m.labels);
      all.types.push(...m.types);
      all.chartSeeds.push(...m.chartSeeds);
      all.noise.push(...m.noise);
    }
    // Shards must not share a chart (each would be a different sample set over the same chart).
    const owner = new Map<number, number>();
    metas.forEach((m, k) => {
      for (const seed of m.chartSeeds) {
        const o = owner.get(seed);
        if (o !== undefined && o !== k) throw new Error(`shards ${o} and ${k} of ${opts.split} share chart seed ${seed}`);
        owner.set(seed, k);
      }
    });
    const repeat = <T>(xs: T[]): T[] => Array.from({ length: copies }, () => xs).flat();
    writeNpy(join(tmp, "labels.npy"), "|u1", [rows], Uint8Array.from(repeat(all.labels)));
    writeNpy(join(tmp, "types.npy"), "|u1", [rows], Uint8Array.from(repeat(all.types)));
    writeNpy(join(tmp, "chart_seeds.npy"), "<i4", [rows], Int32Array.from(repeat(all.chartSeeds)));
    const info: DatasetInfo = {
      features: FEATURE_SET,
      split: opts.split,
      samples: opts.count,
      copies,
      count: rows,
      charts: owner.size,
      noise: repeat(all.noise),
    };
    writeFileSync(join(tmp, "info.json"), `${JSON.stringify(info)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    opts.log?.(
      `dataset ${opts.split}${opts.noMark ? " (no mark)" : ""}: ${opts.count} samples from ${owner.size} charts in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    return { dir, info, fromCache: false };
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

export function readInfo(dir: string): DatasetInfo {
  const info = JSON.parse(readFileSync(join(dir, "info.json"), "utf8")) as DatasetInfo;
  if (info.features !== FEATURE_SET) throw new Error(`${dir} holds encoding ${info.features}, this code writes ${FEATURE_SET}`);
  return info;
}

/** A dataset folder read into memory (sized for evaluation sets: all of it is loaded). */
export function readDataset(dir: string): EncodedDataset {
  const info = readInfo(dir);
  const inputs = {} as Record<InputName, Float32Array>;
  for (const { name } of INPUTS) {
    const a = readNpy(inputFile(dir, name));
    if (a.dtype !== "<f4" || a.shape.join() !== shapeOf(name, info.count).join())
      throw new Error(`${inputFile(dir, name)}: ${a.dtype} ${a.shape}, expected float32 ${shapeOf(name, info.count)}`);
    inputs[name] = a.data as Float32Array;
  }
  return {
    split: info.split,
    count: info.count,
    inputs,
    labels: readNpy(join(dir, "labels.npy")).data as Uint8Array,
    types: readNpy(join(dir, "types.npy")).data as Uint8Array,
    chartSeeds: readNpy(join(dir, "chart_seeds.npy")).data as Int32Array,
    noise: info.noise,
  };
}
