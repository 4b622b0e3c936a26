// The decoder's KV cache for a batch of rows that are at different lengths and come and go: one
// tensor [layers, 2, B, heads, P, headDim] (decoder.onnx's past_kv) and, per row and column,
// whether the entry is real. Each step appends a column for every row; rows that sit the step out
// (their turn ended, others' goes on) get a column that is never attended to. When rows join or
// leave, the batch is rebuilt with each row's real entries packed to the front — a row's
// position is an input of the model, not its column, so where an entry sits does not matter,
// only the attention mask does.

export interface CacheShape {
  layers: number;
  heads: number;
  headDim: number;
}

/** One row's cache outside a batch: its real entries only, [layers, 2, heads, length, headDim]. */
export interface RowCache {
  length: number;
  data: Float32Array;
}

/** Where a row of a rebuilt batch comes from: a row of the current batch, a saved row, or nothing (a new row). */
export type RowSource = { batchRow: number } | { saved: RowCache } | undefined;

export class BatchCache {
  rows = 0;
  columns = 0;
  /** [layers, 2, rows, heads, columns, headDim]. */
  data: Float32Array = new Float32Array(0);
  /** [rows, columns]: 1 where the entry is real. */
  private real = new Uint8Array(0);

  constructor(readonly shape: CacheShape) {}

  /** How many real entries row `b` has. */
  length(b: number): number {
    let n = 0;
    for (let p = 0; p < this.columns; p++) n += this.real[b * this.columns + p];
    return n;
  }

  /** Row `b`'s real entries, packed. */
  extract(b: number): RowCache {
    const { layers, heads, headDim: D } = this.shape;
    const length = this.length(b);
    const data = new Float32Array(layers * 2 * heads * length * D);
    for (let lk = 0; lk < layers * 2; lk++) {
      for (let h = 0; h < heads; h++) {
        this.copyReal(b, this.offset(lk, b, h), data, (lk * heads + h) * length * D);
      }
    }
    return { length, data };
  }

  /** A new batch: row i from `sources[i]`, real entries packed to the front. */
  rebuild(sources: readonly RowSource[]): void {
    const { layers, heads, headDim: D } = this.shape;
    const lengths = sources.map((s) => (!s ? 0 : "saved" in s ? s.saved.length : this.length(s.batchRow)));
    const B = sources.length;
    const P = Math.max(0, ...lengths);
    const data = new Float32Array(layers * 2 * B * heads * P * D);
    const real = new Uint8Array(B * P);
    sources.forEach((source, b) => {
      real.fill(1, b * P, b * P + lengths[b]);
      if (!source) return;
      for (let lk = 0; lk < layers * 2; lk++) {
        for (let h = 0; h < heads; h++) {
          const to = ((lk * B + b) * heads + h) * P * D;
          if ("saved" in source) {
            const from = (lk * heads + h) * source.saved.length * D;
            data.set(source.saved.data.subarray(from, from + lengths[b] * D), to);
          } else {
            this.copyReal(source.batchRow, this.offset(lk, source.batchRow, h), data, to);
          }
        }
      }
    });
    this.rows = B;
    this.columns = P;
    this.data = data;
    this.real = real;
  }

  /** decoder.onnx's attention_mask [rows, columns + 1]: the cache's real entries, then the current token's. */
  attentionMask(current: Uint8Array): Float32Array {
    const P = this.columns;
    const mask = new Float32Array(this.rows * (P + 1));
    for (let b = 0; b < this.rows; b++) {
      for (let p = 0; p < P; p++) mask[b * (P + 1) + p] = this.real[b * P + p];
      mask[b * (P + 1) + P] = current[b];
    }
    return mask;
  }

  /** After a step: `present` ([.., columns + 1, ..], decoder.onnx's present_kv) is the cache; the new column is real where `current`. */
  append(present: Float32Array, current: Uint8Array): void {
    const P = this.columns;
    const real = new Uint8Array(this.rows * (P + 1));
    for (let b = 0; b < this.rows; b++) {
      real.set(this.real.subarray(b * P, b * P + P), b * (P + 1));
      real[b * (P + 1) + P] = current[b];
    }
    this.columns = P + 1;
    this.data = present;
    this.real = real;
  }

  /** Start of row `b`'s entries for (layer·2 + k, head) in `data`. */
  private offset(lk: number, b: number, h: number): number {
    return ((lk * this.rows + b) * this.shape.heads + h) * this.columns * this.shape.headDim;
  }

  /** Copies row `b`'s real entries (one layer, k/v and head, starting at `from`) to `out[to..]`, packed, run by run. */
  private copyReal(b: number, from: number, out: Float32Array, to: number): void {
    const D = this.shape.headDim;
    const real = this.real.subarray(b * this.columns, (b + 1) * this.columns);
    let p = 0;
    while (p < this.columns) {
      if (!real[p]) {
        p++;
        continue;
      }
      let end = p;
      while (end < this.columns && real[end]) end++;
      out.set(this.data.subarray(from + p * D, from + end * D), to);
      to += (end - p) * D;
      p = end;
    }
  }
}
