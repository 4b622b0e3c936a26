// ChartWorld PRM samples, drawn and encoded with prepareBatch's own encoder into flat arrays.
//
// A dataset of N samples is made of shards: shard k is generatePrmDataset({split, count: 2000,
// offset: k·2000}), ChartWorld's own generator (labels 2:4:3:1 within each of the four action
// types, types balanced 1:1:1:1), starting 2000·k seeds into the split. Each shard keeps the
// ratios exactly, so their union does too, and shards can be made in parallel: a worker generates
// a shard and draws and encodes its samples in one go. Every sample lands at a fixed index, so the
// result does not depend on the number of workers. Shards must not share charts; buildDataset
// checks it.
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { generatePrmDataset, Rng, SCORED_ACTION_TYPES, type Split } from "@sketchvl/chartworld";
import { encodeJitteredCopy, encodeStep, FEATURE_SET, INPUTS, LABELS, type InputName } from "./features";
import { StepImages } from "./step-images";

/**
 * Action kinds (the contract's names) in the order of EncodedDataset.types: ChartWorld's scored
 * kinds in its order, then text (never produced by ChartWorld). Cached datasets store indices into
 * this list, so its order is fixed.
 */
export const DATASET_TYPES = [...SCORED_ACTION_TYPES, "text"] as const;

/** Samples per shard, and the seed stride between shards. */
export const SHARD_SIZE = 2000;

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
  /** Read from the --cache directory rather than generated. */
  fromCache?: boolean;
}

export const perStep = (name: InputName): number => INPUTS.find((i) => i.name === name)!.shape.reduce((a: number, b: number) => a * b, 1);

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
  /** Samples in the whole dataset: copy c of sample i is stored at c·stride + i. */
  stride: number;
}

/** Per-sample facts of a shard, in shard order. */
export interface ShardMeta {
  labels: number[];
  types: number[];
  chartSeeds: number[];
  noise: string[];
}

/** The shards of a dataset of `count` samples. */
export function shardsOf(split: Split, count: number, copies = 1): ShardSpec[] {
  const out: ShardSpec[] = [];
  for (let base = 0, k = 0; base < count; base += SHARD_SIZE, k++) out.push({ split, count: Math.min(SHARD_SIZE, count - base), offset: k * SHARD_SIZE, base, copies, stride: count });
  return out;
}

/** Generates one shard and encodes its samples into inputs[base ..] (in this thread). */
export async function encodeShard(shard: ShardSpec, inputs: Record<InputName, Float32Array>): Promise<ShardMeta> {
  const samples = await generatePrmDataset({ split: shard.split, count: shard.count, offset: shard.offset });
  // Draw chart by chart (the chart and its before images are cached per chart); store in shard order.
  const order = samples.map((_, i) => i).sort((a, b) => samples[a].chartSeed - samples[b].chartSeed || a - b);
  const images = new StepImages();
  for (const i of order) {
    const s = samples[i];
    const { before, after } = await images.images(s);
    const step = { intent: s.intent, action: s.action, before, after };
    encodeStep(step, shard.base + i, inputs);
    for (let c = 1; c < shard.copies; c++) {
      const rng = new Rng(s.chartSeed, `finepr-jitter:${s.id}:${c}`);
      encodeJitteredCopy(step, shard.base + i, c * shard.stride + shard.base + i, inputs, () => rng.next());
    }
  }
  return {
    labels: samples.map((s) => LABELS.indexOf(s.label)),
    types: samples.map((s) => DATASET_TYPES.indexOf(s.actionType)),
    chartSeeds: samples.map((s) => s.chartSeed),
    noise: samples.map((s) => s.noise),
  };
}

export interface BuildOptions {
  split: Split;
  /** Samples (before augmentation). */
  count: number;
  /** Encodings per sample: 1 (default) or more, the extra ones with jittered windows (training only). */
  copies?: number;
  /** Worker threads; 0 encodes in this thread. Does not change the result. */
  workers?: number;
  /** A directory to keep encoded datasets in (reused when the same split and count are asked again). */
  cacheDir?: string;
  log?: (msg: string) => void;
}

function allocate(n: number, shared: boolean): Record<InputName, Float32Array> {
  const out = {} as Record<InputName, Float32Array>;
  for (const { name } of INPUTS) {
    const len = n * perStep(name);
    out[name] = shared ? new Float32Array(new SharedArrayBuffer(len * 4)) : new Float32Array(len);
  }
  return out;
}

/** The encoded dataset of `count` samples of `split`. */
export async function buildDataset(opts: BuildOptions): Promise<EncodedDataset> {
  const copies = opts.copies ?? 1;
  const file = opts.cacheDir ? join(opts.cacheDir, `${FEATURE_SET}-${opts.split}-${opts.count}${copies > 1 ? `x${copies}` : ""}.bin`) : null;
  if (file && existsSync(file)) {
    opts.log?.(`dataset ${opts.split}: cached ${file}`);
    return { ...readDataset(file), fromCache: true };
  }
  const t0 = Date.now();
  const workers = opts.workers ?? 0;
  const shards = shardsOf(opts.split, opts.count, copies);
  const inputs = allocate(opts.count * copies, workers > 0);
  const metas: ShardMeta[] = new Array(shards.length);
  if (workers === 0) {
    for (let k = 0; k < shards.length; k++) metas[k] = await encodeShard(shards[k], inputs);
  } else {
    let next = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: Math.min(workers, shards.length) }, () => {
        const w = new Worker(join(__dirname, "dataset-worker.js"), { workerData: { inputs } });
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
  const data: EncodedDataset = {
    split: opts.split,
    count: opts.count * copies,
    inputs,
    labels: Uint8Array.from(repeat(all.labels)),
    types: Uint8Array.from(repeat(all.types)),
    chartSeeds: Int32Array.from(repeat(all.chartSeeds)),
    noise: repeat(all.noise),
  };
  opts.log?.(`dataset ${opts.split}: ${opts.count} samples from ${owner.size} charts in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (file && opts.cacheDir) {
    mkdirSync(opts.cacheDir, { recursive: true });
    writeDataset(file, data);
  }
  return data;
}

// Cache format: a JSON header line, then the arrays' bytes in header order. Written and read in
// slices: a large dataset is over 2 GB, more than one fs call takes.
const SLICE = 1 << 28;

function writeDataset(file: string, d: EncodedDataset): void {
  const arrays: [string, ArrayBufferView][] = [...INPUTS.map((i) => [i.name, d.inputs[i.name]] as [string, ArrayBufferView]), ["labels", d.labels], ["types", d.types], ["chartSeeds", d.chartSeeds]];
  const header = JSON.stringify({ split: d.split, count: d.count, noise: d.noise, arrays: arrays.map(([k, a]) => [k, a.byteLength]) });
  const fd = openSync(file + ".tmp", "w");
  try {
    writeSync(fd, Buffer.from(header + "\n"));
    for (const [, a] of arrays) {
      for (let pos = 0; pos < a.byteLength; pos += SLICE) writeSync(fd, new Uint8Array(a.buffer, a.byteOffset + pos, Math.min(SLICE, a.byteLength - pos)));
    }
  } finally {
    closeSync(fd);
  }
  renameSync(file + ".tmp", file);
}

function readDataset(file: string): EncodedDataset {
  const fd = openSync(file, "r");
  try {
    // The header line is short: find it in the first megabyte... or however long the noise list is.
    let headBuf = Buffer.alloc(1 << 20);
    let got = readSync(fd, headBuf, 0, headBuf.length, 0);
    while (headBuf.subarray(0, got).indexOf(10) < 0 && got === headBuf.length) {
      headBuf = Buffer.alloc(headBuf.length * 4);
      got = readSync(fd, headBuf, 0, headBuf.length, 0);
    }
    const nl = headBuf.indexOf(10);
    const header = JSON.parse(headBuf.subarray(0, nl).toString()) as { split: Split; count: number; noise: string[]; arrays: [string, number][] };
    let pos = nl + 1;
    // Shared memory, so training threads can read the inputs without copies.
    const raw = new Map<string, SharedArrayBuffer>();
    for (const [k, len] of header.arrays) {
      const sab = new SharedArrayBuffer(len);
      const view = new Uint8Array(sab);
      for (let off = 0; off < len; off += SLICE) readSync(fd, view, off, Math.min(SLICE, len - off), pos + off);
      raw.set(k, sab);
      pos += len;
    }
    const inputs = {} as Record<InputName, Float32Array>;
    for (const { name } of INPUTS) inputs[name] = new Float32Array(raw.get(name)!);
    return {
      split: header.split,
      count: header.count,
      noise: header.noise,
      inputs,
      labels: new Uint8Array(raw.get("labels")!),
      types: new Uint8Array(raw.get("types")!),
      chartSeeds: new Int32Array(raw.get("chartSeeds")!),
    };
  } finally {
    closeSync(fd);
  }
}
