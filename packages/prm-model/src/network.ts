// The FinePRM network and its exact forward / backward passes in plain Float32Array loops.
//
//   local   [5,32,32]  → conv3×3 → ReLU → maxpool2  (×3 blocks) → flatten ┐
//   context [5,16,16]  → conv3×3 → ReLU → maxpool2  (×3 blocks) → flatten │
//   ends    [10,16,16] → conv3×3 → ReLU → maxpool2  (×3 blocks) → flatten ├→ concat → Gemm → ReLU … → Gemm → softmax
//   meta    [108]                                                         ┘
//
// All parameters live in one Float32Array (the layout below); gradients in another of the same
// shape. The same layout is what onnx-export.ts writes as initializers.
import { INPUTS, LABELS } from "./features";
import { col2im3, gemmAB, gemmABt, im2col3, reluPool2 } from "./kernels";
import { createMemory, instantiateGemm, type WasmGemm, type WasmMemory } from "./wasm-kernels";

export interface TowerSpec {
  /** Input name (a key of prepareBatch). */
  input: string;
  inChannels: number;
  size: number;
  /** Output channels of each conv block; each block halves the spatial size. */
  channels: number[];
}

export interface Architecture {
  towers: TowerSpec[];
  /** Width of the "meta" input (passed straight to the head). */
  meta: number;
  /** Hidden widths of the head. */
  hidden: number[];
  classes: number;
}

export function defaultArchitecture(): Architecture {
  const [local, context, ends, meta] = INPUTS;
  return {
    towers: [
      { input: local.name, inChannels: local.shape[0], size: local.shape[1], channels: [8, 16, 32] },
      { input: context.name, inChannels: context.shape[0], size: context.shape[1], channels: [8, 16, 32] },
      { input: ends.name, inChannels: ends.shape[0], size: ends.shape[1], channels: [8, 16, 32] },
    ],
    meta: meta.shape[0],
    hidden: [128],
    classes: LABELS.length,
  };
}

export interface ParamInfo {
  name: string;
  shape: number[];
  offset: number;
  size: number;
  /** Fan-in for initialisation (0 for biases). */
  fanIn: number;
}

export interface ConvLayer {
  w: ParamInfo;
  b: ParamInfo;
  cin: number;
  cout: number;
  /** Spatial size of the input (square). */
  size: number;
}

export interface DenseLayer {
  w: ParamInfo;
  b: ParamInfo;
  nin: number;
  nout: number;
}

/** Where every parameter lives, and the derived sizes. */
export class Layout {
  readonly params: ParamInfo[] = [];
  readonly convs: ConvLayer[][] = [];
  readonly dense: DenseLayer[] = [];
  /** Flattened output size of each tower. */
  readonly towerOut: number[] = [];
  /** Input width of the head: towers' outputs, then meta. */
  readonly headIn: number;
  readonly total: number;

  constructor(readonly arch: Architecture) {
    let offset = 0;
    const add = (name: string, shape: number[], fanIn: number): ParamInfo => {
      const size = shape.reduce((a, b) => a * b, 1);
      const p = { name, shape, offset, size, fanIn };
      offset += size;
      this.params.push(p);
      return p;
    };
    arch.towers.forEach((t, ti) => {
      let cin = t.inChannels;
      let size = t.size;
      const layers: ConvLayer[] = [];
      t.channels.forEach((cout, li) => {
        if (size % 2 !== 0) throw new Error(`tower ${t.input}: size ${size} is odd before block ${li}`);
        const w = add(`${t.input}.conv${li}.weight`, [cout, cin, 3, 3], cin * 9);
        const b = add(`${t.input}.conv${li}.bias`, [cout], 0);
        layers.push({ w, b, cin, cout, size });
        cin = cout;
        size /= 2;
      });
      this.convs.push(layers);
      this.towerOut[ti] = cin * size * size;
    });
    this.headIn = this.towerOut.reduce((a, b) => a + b, 0) + arch.meta;
    let nin = this.headIn;
    [...arch.hidden, arch.classes].forEach((nout, i) => {
      const w = add(`head.fc${i}.weight`, [nout, nin], nin);
      const b = add(`head.fc${i}.bias`, [nout], 0);
      this.dense.push({ w, b, nin, nout });
      nin = nout;
    });
    this.total = offset;
  }

  /** Multiply-adds of one forward pass of one step (×2 = FLOPs). */
  macsPerStep(): number {
    let m = 0;
    for (const t of this.convs) for (const c of t) m += c.cout * c.cin * 9 * c.size * c.size;
    for (const d of this.dense) m += d.nin * d.nout;
    return m;
  }
}

/** Deterministic uniform [0,1) source (the caller's seeded generator). */
export type Random = () => number;

/** He-normal weights, zero biases. */
export function initParams(layout: Layout, random: Random): Float32Array {
  const p = new Float32Array(layout.total);
  const normal = (): number => {
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  for (const info of layout.params) {
    if (info.fanIn === 0) continue;
    const std = Math.sqrt(2 / info.fanIn);
    for (let i = 0; i < info.size; i++) p[info.offset + i] = normal() * std;
  }
  // The output layer starts small, so the first predictions are near uniform.
  const out = layout.dense[layout.dense.length - 1].w;
  for (let i = 0; i < out.size; i++) p[out.offset + i] *= 0.1;
  return p;
}

/** Inputs of a set of steps, flat per input name ([n × per-step size]). */
export type InputArrays = Record<string, Float32Array>;

/**
 * Every buffer of one forward / backward pass for up to `capacity` steps, carved out of one
 * WebAssembly memory so the SIMD kernels (wasm-kernels.ts) can run on them; kernels.ts takes
 * over for shapes they do not cover, or everywhere with `simd: false`. One per thread.
 */
export class Workspace {
  readonly params: Float32Array;
  readonly grads: Float32Array;
  readonly probs: Float32Array;
  private readonly memory: WasmMemory;
  private readonly wasm: WasmGemm | null;
  /** Gathered inputs: one array per tower, then meta. */
  private readonly towerIn: Float32Array[];
  /** cols[t][l]: im2col of conv block l's input, per step (kept from forward for backward). */
  private readonly cols: Float32Array[][];
  private readonly dcols: Float32Array;
  /** Transposed conv weights [cin·9 × cout], per block (filled at the start of backward). */
  private readonly wT: Float32Array[][];
  /** acts[t][l]: input of conv block l ≥ 1 of tower t, per step. */
  private readonly acts: Float32Array[][];
  private readonly args: Int32Array[][];
  private readonly ybuf: Float32Array;
  private readonly dy: Float32Array;
  private readonly dpA: Float32Array;
  private readonly dpB: Float32Array;
  /** Head: h[0] = head input, h[i+1] = activation of dense i; z = pre-activations; dh = gradients. */
  private readonly h: Float32Array[];
  private readonly z: Float32Array[];
  private readonly dh: Float32Array[];
  private readonly tA: Float32Array;
  private readonly tB: Float32Array;

  constructor(
    readonly layout: Layout,
    readonly capacity: number,
    opts: { simd?: boolean } = {},
  ) {
    const sizes: number[] = [];
    const plan = (n: number): number => (sizes.push(n), sizes.length - 1);
    let maxCols = 0;
    let maxY = 0;
    let maxIn = 0;
    for (const t of layout.convs)
      for (const c of t) {
        maxCols = Math.max(maxCols, c.cin * 9 * c.size * c.size);
        maxY = Math.max(maxY, c.cout * c.size * c.size);
        maxIn = Math.max(maxIn, c.cin * c.size * c.size, (c.cout * c.size * c.size) / 4);
      }
    const widths = [layout.headIn, ...layout.dense.map((d) => d.nout)];
    const maxWidth = Math.max(...widths);
    const ids = {
      params: plan(layout.total),
      grads: plan(layout.total),
      probs: plan(capacity * layout.arch.classes),
      towerIn: layout.arch.towers.map((t) => plan(capacity * t.inChannels * t.size * t.size)),
      meta: plan(capacity * layout.arch.meta),
      cols: layout.convs.map((t) => t.map((c) => plan(capacity * c.cin * 9 * c.size * c.size))),
      dcols: plan(maxCols),
      wT: layout.convs.map((t) => t.map((c) => plan(c.w.size))),
      acts: layout.convs.map((t) => t.map((c, l) => plan(l === 0 ? 0 : capacity * c.cin * c.size * c.size))),
      ybuf: plan(maxY),
      dy: plan(maxY),
      dpA: plan(maxIn),
      dpB: plan(maxIn),
      h: widths.map((w) => plan(capacity * w)),
      z: widths.map((w) => plan(capacity * w)),
      dh: widths.map((w) => plan(capacity * w)),
      tA: plan(capacity * maxWidth),
      tB: plan(capacity * maxWidth),
    };
    // 16-byte aligned slices of one memory.
    const offsets: number[] = [];
    let floats = 0;
    for (const n of sizes) {
      offsets.push(floats);
      floats += Math.ceil(n / 4) * 4;
    }
    this.memory = createMemory(floats * 4);
    this.wasm = opts.simd === false ? null : instantiateGemm(this.memory);
    const view = (id: number): Float32Array => new Float32Array(this.memory.buffer, offsets[id] * 4, sizes[id]);
    this.params = view(ids.params);
    this.grads = view(ids.grads);
    this.probs = view(ids.probs);
    this.towerIn = [...ids.towerIn.map(view), view(ids.meta)];
    this.cols = ids.cols.map((t) => t.map(view));
    this.dcols = view(ids.dcols);
    this.wT = ids.wT.map((t) => t.map(view));
    this.acts = ids.acts.map((t) => t.map(view));
    this.ybuf = view(ids.ybuf);
    this.dy = view(ids.dy);
    this.dpA = view(ids.dpA);
    this.dpB = view(ids.dpB);
    this.h = ids.h.map(view);
    this.z = ids.z.map(view);
    this.dh = ids.dh.map(view);
    this.tA = view(ids.tA);
    this.tB = view(ids.tB);
    this.args = layout.convs.map((t) => t.map((c) => new Int32Array(capacity * c.cout * (c.size / 2) * (c.size / 2))));
  }

  /** Whether the WebAssembly SIMD kernels are in use. */
  get simd(): boolean {
    return this.wasm !== null;
  }

  setParams(p: Float32Array): void {
    this.params.set(p);
  }

  zeroGrads(): void {
    this.grads.fill(0);
  }

  // C += A·B and C += A·Bᵀ on workspace buffers: SIMD where the shape allows, else plain loops.
  private ab(m: number, n: number, k: number, a: Float32Array, aOff: number, b: Float32Array, bOff: number, c: Float32Array, cOff: number): void {
    if (this.wasm && m % 4 === 0 && n % 8 === 0) this.wasm.gemmAB(m, n, k, a.byteOffset + 4 * aOff, b.byteOffset + 4 * bOff, c.byteOffset + 4 * cOff);
    else gemmAB(m, n, k, a, aOff, b, bOff, c, cOff);
  }

  private abt(m: number, n: number, k: number, a: Float32Array, aOff: number, b: Float32Array, bOff: number, c: Float32Array, cOff: number): void {
    if (this.wasm && m % 4 === 0 && k % 4 === 0) this.wasm.gemmABt(m, n, k, a.byteOffset + 4 * aOff, b.byteOffset + 4 * bOff, c.byteOffset + 4 * cOff);
    else gemmABt(m, n, k, a, aOff, b, bOff, c, cOff);
  }

  private im2col(x: Float32Array, xOff: number, cin: number, size: number, cols: Float32Array, colsOff: number): void {
    if (this.wasm) this.wasm.im2col3(x.byteOffset + 4 * xOff, cin, size, size, cols.byteOffset + 4 * colsOff);
    else im2col3(x, xOff, cin, size, size, cols, colsOff);
  }

  /**
   * Forward pass of steps idx[0..n) of `inputs` with this.params; leaves probabilities in
   * this.probs[0 .. n·classes) and everything backward() needs.
   */
  forward(inputs: InputArrays, idx: ArrayLike<number>, n: number): void {
    if (n > this.capacity) throw new Error(`workspace holds ${this.capacity} steps, asked for ${n}`);
    const L = this.layout;
    const params = this.params;
    // Gather the steps' inputs (towers, then meta) into the workspace.
    const names = [...L.arch.towers.map((t) => t.input), "meta"];
    names.forEach((name, t) => {
      const src = inputs[name];
      const len = this.towerIn[t].length / this.capacity;
      for (let s = 0; s < n; s++) this.towerIn[t].set(src.subarray(idx[s] * len, (idx[s] + 1) * len), s * len);
    });
    const head = this.h[0];
    const D = L.headIn;
    let col = 0;
    L.convs.forEach((layers, t) => {
      const spec = L.arch.towers[t];
      const inLen = spec.inChannels * spec.size * spec.size;
      for (let s = 0; s < n; s++) {
        let x = this.towerIn[t];
        let xOff = s * inLen;
        for (let l = 0; l < layers.length; l++) {
          const c = layers[l];
          const HW = c.size * c.size;
          const cols = this.cols[t][l];
          const colsOff = s * c.cin * 9 * HW;
          this.im2col(x, xOff, c.cin, c.size, cols, colsOff);
          const y = this.ybuf;
          for (let o = 0; o < c.cout; o++) y.fill(params[c.b.offset + o], o * HW, (o + 1) * HW);
          this.ab(c.cout, HW, c.cin * 9, params, c.w.offset, cols, colsOff, y, 0);
          const outLen = c.cout * (HW >> 2);
          const last = l === layers.length - 1;
          const dst = last ? head : this.acts[t][l + 1];
          const dstOff = last ? s * D + col : s * outLen;
          reluPool2(y, 0, c.cout, c.size, c.size, dst, dstOff, this.args[t][l], s * outLen);
          x = dst;
          xOff = dstOff;
        }
      }
      col += L.towerOut[t];
    });
    const meta = this.towerIn[L.arch.towers.length];
    const M = L.arch.meta;
    for (let s = 0; s < n; s++) for (let k = 0; k < M; k++) head[s * D + col + k] = meta[s * M + k];
    // Head: dense layers, ReLU between, softmax at the end.
    L.dense.forEach((d, i) => {
      const out = this.z[i + 1];
      for (let s = 0; s < n; s++) for (let o = 0; o < d.nout; o++) out[s * d.nout + o] = params[d.b.offset + o];
      this.abt(n, d.nout, d.nin, this.h[i], 0, params, d.w.offset, out, 0);
      const act = this.h[i + 1];
      const last = i === L.dense.length - 1;
      for (let k = 0; k < n * d.nout; k++) act[k] = last ? out[k] : out[k] > 0 ? out[k] : 0;
    });
    const K = L.arch.classes;
    const logits = this.h[L.dense.length];
    for (let s = 0; s < n; s++) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, logits[s * K + k]);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(logits[s * K + k] - max);
      for (let k = 0; k < K; k++) this.probs[s * K + k] = Math.exp(logits[s * K + k] - max) / sum;
    }
  }

  /**
   * Backward pass of the last forward() for the loss Σ_s scale · CE(probs_s, labels[idx[s]]);
   * adds the gradient into this.grads. Returns the summed (unscaled) cross-entropy.
   */
  backward(labels: ArrayLike<number>, idx: ArrayLike<number>, n: number, scale: number): number {
    const L = this.layout;
    const params = this.params;
    const grads = this.grads;
    const K = L.arch.classes;
    const nd = L.dense.length;
    let loss = 0;
    // dLogits = scale · (p − onehot).
    const dl = this.dh[nd];
    for (let s = 0; s < n; s++) {
      const y = labels[idx[s]];
      loss -= Math.log(Math.max(this.probs[s * K + y], 1e-30));
      for (let k = 0; k < K; k++) dl[s * K + k] = scale * (this.probs[s * K + k] - (k === y ? 1 : 0));
    }
    for (let i = nd - 1; i >= 0; i--) {
      const d = L.dense[i];
      const dz = this.dh[i + 1];
      if (i < nd - 1) {
        const z = this.z[i + 1];
        for (let k = 0; k < n * d.nout; k++) if (z[k] <= 0) dz[k] = 0;
      }
      // dW += dZᵀ·H, as (dZᵀ)·(Hᵀ)ᵀ so the SIMD kernel applies.
      const hIn = this.h[i];
      for (let s = 0; s < n; s++) {
        for (let o = 0; o < d.nout; o++) this.tA[o * n + s] = dz[s * d.nout + o];
        for (let k = 0; k < d.nin; k++) this.tB[k * n + s] = hIn[s * d.nin + k];
      }
      this.abt(d.nout, d.nin, n, this.tA, 0, this.tB, 0, grads, d.w.offset);
      for (let s = 0; s < n; s++) for (let o = 0; o < d.nout; o++) grads[d.b.offset + o] += dz[s * d.nout + o];
      const dx = this.dh[i];
      dx.fill(0, 0, n * d.nin);
      this.ab(n, d.nin, d.nout, dz, 0, params, d.w.offset, dx, 0);
    }
    // Towers.
    L.convs.forEach((layers, t) =>
      layers.forEach((c, l) => {
        const R = c.cin * 9;
        const wT = this.wT[t][l];
        for (let o = 0; o < c.cout; o++) for (let r = 0; r < R; r++) wT[r * c.cout + o] = params[c.w.offset + o * R + r];
      }),
    );
    const dHead = this.dh[0];
    const D = L.headIn;
    let col = 0;
    L.convs.forEach((layers, t) => {
      for (let s = 0; s < n; s++) {
        let dp = this.dpA;
        let dpSpare = this.dpB;
        const lastOut = L.towerOut[t];
        for (let k = 0; k < lastOut; k++) dp[k] = dHead[s * D + col + k];
        for (let l = layers.length - 1; l >= 0; l--) {
          const c = layers[l];
          const HW = c.size * c.size;
          const outLen = c.cout * (HW >> 2);
          const arg = this.args[t][l];
          const dy = this.dy;
          dy.fill(0, 0, c.cout * HW);
          for (let k = 0; k < outLen; k++) {
            const a = arg[s * outLen + k];
            if (a >= 0) dy[a] = dp[k];
          }
          this.abt(c.cout, c.cin * 9, HW, dy, 0, this.cols[t][l], s * c.cin * 9 * HW, grads, c.w.offset);
          for (let o = 0; o < c.cout; o++) {
            let sum = 0;
            for (let k = o * HW; k < (o + 1) * HW; k++) sum += dy[k];
            grads[c.b.offset + o] += sum;
          }
          if (l === 0) break;
          // dcols = Wᵀ · dy.
          const R = c.cin * 9;
          this.dcols.fill(0, 0, R * HW);
          this.ab(R, HW, c.cout, this.wT[t][l], 0, dy, 0, this.dcols, 0);
          dpSpare.fill(0, 0, c.cin * HW);
          if (this.wasm) this.wasm.col2im3(this.dcols.byteOffset, c.cin, c.size, c.size, dpSpare.byteOffset);
          else col2im3(this.dcols, c.cin, c.size, c.size, dpSpare, 0);
          const tmp = dp;
          dp = dpSpare;
          dpSpare = tmp;
        }
      }
      col += L.towerOut[t];
    });
    return loss;
  }
}

/** The most probable class of row `s` of probabilities [n × K] (the first one on ties). */
export function argmax(probs: Float32Array, s: number, K: number): number {
  let best = 0;
  for (let k = 1; k < K; k++) if (probs[s * K + k] > probs[s * K + best]) best = k;
  return best;
}

/** Probabilities [n × classes] for steps 0..n−1 of `inputs` (the TS reference of the ONNX graph). */
export function predict(layout: Layout, params: Float32Array, inputs: InputArrays, n: number, workspace?: Workspace): Float32Array {
  const ws = workspace ?? new Workspace(layout, 64);
  ws.setParams(params);
  const K = layout.arch.classes;
  const out = new Float32Array(n * K);
  const idx = new Int32Array(ws.capacity);
  for (let start = 0; start < n; start += ws.capacity) {
    const m = Math.min(ws.capacity, n - start);
    for (let s = 0; s < m; s++) idx[s] = start + s;
    ws.forward(inputs, idx, m);
    out.set(ws.probs.subarray(0, m * K), start * K);
  }
  return out;
}
