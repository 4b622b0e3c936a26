// Continuous batching for the built-in policy: every row that has a token to feed — of every group
// on this model version — advances one token per decoder run, with the KV cache (kvCache.ts).
// Rows join when their turn starts (their image encoded, batched with every other row joining at
// that moment) and leave when it ends; a row whose rollout goes on keeps its cache (and its random
// generator) until its next turn. A job is one turn of one row: tokens to feed first (the prompt,
// or the <image> marker), then tokens sampled until a stop token or the budget; with `targets`
// (replaying check.json) it reads the log-probs of given tokens instead. No ONNX Runtime here: the
// decoder and encoder are functions, so the bookkeeping is testable on its own.
import { BatchCache, type CacheShape, type RowCache, type RowSource } from "./kvCache";
import { Rng, sampleToken, type SamplingRule } from "./sampler";

export interface StepFeeds {
  rows: number;
  columns: number;
  token: BigInt64Array;
  position: BigInt64Array;
  attentionMask: Float32Array;
  past: Float32Array;
  cross: Float32Array;
}

export interface ModelFunctions {
  shape: CacheShape & { visualTokens: number; vocab: number; maxPositions: number };
  /** decoder.onnx: logprobs [rows, vocab] and present_kv. */
  decode(feeds: StepFeeds): Promise<{ logprobs: Float32Array; present: Float32Array }>;
  /** encoder.onnx on N images → each image's cross_kv, [layers, 2, heads, V, headDim]. */
  encode(images: Float32Array[]): Promise<Float32Array[]>;
}

export interface Job {
  row: number;
  /** The image this turn looks at: `key` names it (rows joining together share an encoding). */
  image: { key: string; tensor: Float32Array };
  forced: number[];
  /** Replay: the log-prob of targets[i] is read after feeding forced[i] (−1: not read). */
  targets?: number[];
  /** Sampling: the row's generator is seeded by (seed, stream) — the group's seed and the row's place in it. */
  sample?: { rule: SamplingRule; seed: number; stream: number; maxTokens: number; stops: { eot: number; eos: number } };
  /** Keep the row's cache for a next job (after feeding the turn-end token it sampled). */
  park: boolean;
}

export interface JobResult {
  tokens: number[];
  logprobs: number[];
  stop: "eot" | "eos" | "length" | "forced";
  /** Replay: the log-probs read for `targets`. */
  scored: number[];
}

interface Row {
  job: Job;
  cross: Float32Array;
  queue: number[];
  fed: number;
  length: number;
  rng: Rng | undefined;
  result: JobResult;
  sampling: boolean;
  done: boolean;
  released: boolean;
  resolve(result: JobResult): void;
  reject(error: Error): void;
}

interface Pending {
  job: Job;
  resolve(result: JobResult): void;
  reject(error: Error): void;
}

export class Engine {
  private readonly cache: BatchCache;
  private rows: Row[] = [];
  private pending: Pending[] = [];
  /** Rows between turns: their cache, their generator. */
  private readonly parked = new Map<number, { cache: RowCache; rng: Rng | undefined }>();
  private cross: Float32Array = new Float32Array(0);
  private running = false;
  private closed = false;
  /** Rows released while admit() waited for the encoder: they must not join. */
  private releasedWhileAdmitting: Set<number> | undefined;
  private readonly scratch: Float64Array<ArrayBufferLike>;
  readonly stats = { steps: 0, rowSteps: 0, idleRowSteps: 0, rebuilds: 0, encoded: 0, decodeMs: 0, encodeMs: 0, busyMs: 0 };

  constructor(
    private readonly model: ModelFunctions,
    private readonly maxRows: number,
  ) {
    this.cache = new BatchCache(model.shape);
    this.scratch = new Float64Array(model.shape.vocab);
  }

  run(job: Job): Promise<JobResult> {
    if (this.closed) return Promise.reject(new Error("the engine is closed"));
    return new Promise((resolve, reject) => {
      this.pending.push({ job, resolve, reject });
      if (!this.running) void this.loop();
    });
  }

  /** Forgets rows (the caller gave up): their jobs reject, their caches go. */
  release(rowIds: readonly number[]): void {
    const ids = new Set(rowIds);
    for (const id of ids) {
      this.parked.delete(id);
      this.releasedWhileAdmitting?.add(id);
    }
    this.pending = this.pending.filter((p) => !ids.has(p.job.row) || void p.reject(new Error(`row ${p.job.row} released`)));
    for (const row of this.rows) {
      if (!ids.has(row.job.row) || row.released) continue;
      row.released = true;
      if (!row.done) row.reject(new Error(`row ${row.job.row} released`));
      row.done = true;
    }
  }

  close(): void {
    this.closed = true;
    this.release([...this.rows.map((r) => r.job.row), ...this.pending.map((p) => p.job.row), ...this.parked.keys()]);
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed && (this.rows.some((r) => !r.done) || this.pending.length > 0)) {
        const started = performance.now();
        await this.admit();
        if (this.rows.some((r) => !r.done)) await this.step();
        this.stats.busyMs += performance.now() - started;
        // Let new jobs and releases (messages) in between steps.
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (!this.closed) await this.admit(); // park the rows that just finished
    } catch (err) {
      for (const row of this.rows) if (!row.done) row.reject(err as Error);
      for (const p of this.pending.splice(0)) p.reject(err as Error);
      this.rows = [];
      this.cache.rebuild([]);
    } finally {
      this.running = false;
    }
  }

  /** Rebuilds the batch when rows join, or when enough of it sits idle. */
  private async admit(): Promise<void> {
    const staying = this.rows.filter((r) => !r.done);
    const joining = this.pending.splice(0, Math.max(0, this.maxRows - staying.length));
    const idle = this.rows.length - staying.length;
    if (joining.length === 0 && (idle === 0 || idle < Math.ceil(this.rows.length / 4)) && staying.length > 0) return;
    // Leavers first: a row's next turn may be joining now.
    this.rows.forEach((row, b) => {
      if (row.done && !row.released && row.job.park && row.result.stop !== "eos" && row.result.stop !== "length") {
        this.parked.set(row.job.row, { cache: this.cache.extract(b), rng: row.rng });
      }
    });
    this.releasedWhileAdmitting = new Set();
    let crosses: Float32Array[];
    try {
      crosses = await this.encode(joining.map((p) => p.job.image));
    } catch (err) {
      this.releasedWhileAdmitting = undefined;
      for (const p of joining) p.reject(err as Error);
      throw err;
    }
    const released = this.releasedWhileAdmitting;
    this.releasedWhileAdmitting = undefined;
    for (let i = joining.length - 1; i >= 0; i--) {
      if (!released.has(joining[i].job.row)) continue;
      joining[i].reject(new Error(`row ${joining[i].job.row} released`));
      joining.splice(i, 1);
      crosses.splice(i, 1);
    }
    const sources: RowSource[] = staying.map((r) => ({ batchRow: this.rows.indexOf(r) }));
    const joined: Row[] = joining.map((p, i) => {
      const parked = this.parked.get(p.job.row);
      this.parked.delete(p.job.row);
      sources.push(parked && { saved: parked.cache });
      const sample = p.job.sample;
      return {
        job: p.job,
        cross: crosses[i],
        queue: [...p.job.forced],
        fed: 0,
        length: parked?.cache.length ?? 0,
        rng: parked?.rng ?? (sample ? new Rng(sample.seed, sample.stream) : undefined),
        result: { tokens: [], logprobs: [], stop: "forced", scored: [] },
        sampling: sample !== undefined,
        done: false,
        released: false,
        resolve: p.resolve,
        reject: p.reject,
      };
    });
    this.cache.rebuild(sources);
    this.rows = [...staying, ...joined];
    this.cross = this.batchCross();
    this.stats.rebuilds++;
    for (const row of joined) if (row.queue.length === 0) this.finish(row, "forced"); // nothing to feed
  }

  /** One encoder run for every distinct image among the joining rows. */
  private async encode(images: Array<Job["image"]>): Promise<Float32Array[]> {
    const keys = [...new Set(images.map((i) => i.key))];
    if (keys.length === 0) return [];
    const tensors = keys.map((k) => images.find((i) => i.key === k)!.tensor);
    const started = performance.now();
    const encoded = await this.model.encode(tensors);
    this.stats.encodeMs += performance.now() - started;
    this.stats.encoded += keys.length;
    return images.map((i) => encoded[keys.indexOf(i.key)]);
  }

  /** cross_kv [layers, 2, rows, heads, V, headDim] from each row's image. */
  private batchCross(): Float32Array {
    const { layers, heads, headDim, visualTokens } = this.model.shape;
    const B = this.rows.length;
    const block = heads * visualTokens * headDim;
    const out = new Float32Array(layers * 2 * B * block);
    this.rows.forEach((row, b) => {
      for (let lk = 0; lk < layers * 2; lk++) out.set(row.cross.subarray(lk * block, (lk + 1) * block), (lk * B + b) * block);
    });
    return out;
  }

  private async step(): Promise<void> {
    const B = this.rows.length;
    const token = new BigInt64Array(B);
    const position = new BigInt64Array(B);
    const current = new Uint8Array(B);
    const fed: number[] = [];
    this.rows.forEach((row, b) => {
      if (row.done || row.queue.length === 0) return;
      token[b] = BigInt(row.queue.shift()!);
      position[b] = BigInt(row.length);
      current[b] = 1;
      fed.push(b);
    });
    const started = performance.now();
    const { logprobs, present } = await this.model.decode({
      rows: B,
      columns: this.cache.columns,
      token,
      position,
      attentionMask: this.cache.attentionMask(current),
      past: this.cache.data,
      cross: this.cross,
    });
    this.stats.decodeMs += performance.now() - started;
    this.cache.append(present, current);
    this.stats.steps++;
    this.stats.rowSteps += fed.length;
    this.stats.idleRowSteps += B - fed.length;
    const V = this.model.shape.vocab;
    for (const b of fed) {
      const row = this.rows[b];
      if (row.done) continue; // released during the run
      row.length++;
      const out = logprobs.subarray(b * V, (b + 1) * V);
      const target = row.job.targets?.[row.fed];
      row.fed++;
      if (target !== undefined && target >= 0) row.result.scored.push(out[target]);
      if (row.queue.length > 0) continue;
      if (row.sampling) this.sample(row, out);
      else this.finish(row, row.result.stop);
    }
  }

  /** The row's next token from `out`, or the end of its turn. */
  private sample(row: Row, out: Float32Array): void {
    const sample = row.job.sample!;
    const room = this.model.shape.maxPositions - row.length; // positions left to feed
    if (row.result.tokens.length >= sample.maxTokens || room < 1) {
      this.finish(row, "length");
      return;
    }
    const t = sampleToken(out, sample.rule, row.rng!, this.scratch);
    row.result.tokens.push(t);
    row.result.logprobs.push(out[t]);
    if (t === sample.stops.eos) {
      this.finish(row, "eos");
      return;
    }
    if (t === sample.stops.eot) {
      // The next turn needs <eot> and <image> fed and a token sampled after them.
      if (room < 3) {
        this.finish(row, "length");
        return;
      }
      row.sampling = false;
      row.result.stop = "eot";
      if (row.job.park) row.queue.push(t);
      else this.finish(row, "eot");
      return;
    }
    row.queue.push(t);
  }

  private finish(row: Row, stop: JobResult["stop"]): void {
    row.result.stop = stop;
    row.done = true;
    row.resolve(row.result);
  }
}
