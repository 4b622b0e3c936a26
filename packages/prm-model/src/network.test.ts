import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "@sketchvl/chartworld";
import type { EncodedDataset } from "./dataset";
import { gemmAB, gemmABt, im2col3, col2im3 } from "./kernels";
import { initParams, Layout, Workspace, type Architecture, type InputArrays } from "./network";
import { train, defaultTrainOptions } from "./train";
import { createMemory, instantiateGemm } from "./wasm-kernels";

/** A net small enough for finite differences on every parameter. */
const TINY: Architecture = {
  towers: [
    { input: "local", inChannels: 2, size: 8, channels: [4, 4] },
    { input: "context", inChannels: 3, size: 4, channels: [4] },
  ],
  meta: 4,
  hidden: [8],
  classes: 4,
};

function randomInputs(arch: Architecture, n: number, rng: Rng, shared = false): InputArrays {
  const make = (len: number): Float32Array => {
    const a = shared ? new Float32Array(new SharedArrayBuffer(len * 4)) : new Float32Array(len);
    for (let i = 0; i < len; i++) a[i] = rng.next();
    return a;
  };
  const out: InputArrays = {};
  for (const t of arch.towers) out[t.input] = make(n * t.inChannels * t.size * t.size);
  out["meta"] = make(n * arch.meta);
  return out;
}

function lossOf(ws: Workspace, inputs: InputArrays, labels: Uint8Array, idx: Int32Array): number {
  ws.forward(inputs, idx, idx.length);
  let loss = 0;
  for (let s = 0; s < idx.length; s++) loss -= Math.log(ws.probs[s * 4 + labels[idx[s]]]);
  return loss;
}

for (const simd of [true, false]) {
  test(`backward matches finite differences on a tiny net (${simd ? "SIMD" : "plain"} kernels)`, () => {
    const rng = new Rng(7, "gradcheck");
    const layout = new Layout(TINY);
    const n = 4;
    const inputs = randomInputs(TINY, n, rng);
    const labels = Uint8Array.from([0, 1, 2, 3]);
    const idx = Int32Array.from([0, 1, 2, 3]);
    const ws = new Workspace(layout, n, { simd });
    assert.equal(ws.simd, simd);
    const params = initParams(layout, () => rng.next());
    // Larger output weights than the default init, so every layer's gradient is well above noise.
    const out = layout.dense[layout.dense.length - 1].w;
    for (let i = 0; i < out.size; i++) params[out.offset + i] *= 10;
    ws.setParams(params);
    ws.zeroGrads();
    ws.forward(inputs, idx, n);
    ws.backward(labels, idx, n, 1);
    const analytic = Float64Array.from(ws.grads);
    const numeric = new Float64Array(layout.total);
    const eps = 1e-3;
    for (let k = 0; k < layout.total; k++) {
      const p = params[k];
      ws.params[k] = p + eps;
      const up = lossOf(ws, inputs, labels, idx);
      ws.params[k] = p - eps;
      const down = lossOf(ws, inputs, labels, idx);
      ws.params[k] = p;
      numeric[k] = (up - down) / (2 * eps);
    }
    let diff = 0;
    let sum = 0;
    for (let k = 0; k < layout.total; k++) {
      diff += (numeric[k] - analytic[k]) ** 2;
      sum += (numeric[k] + analytic[k]) ** 2;
    }
    const rel = Math.sqrt(diff) / Math.sqrt(sum);
    assert.ok(rel < 1e-2, `relative gradient error ${rel}`);
    // Every parameter tensor gets a gradient, and each agrees on its own.
    for (const info of layout.params) {
      let d = 0;
      let s = 0;
      for (let k = info.offset; k < info.offset + info.size; k++) {
        d += (numeric[k] - analytic[k]) ** 2;
        s += (numeric[k] + analytic[k]) ** 2;
      }
      assert.ok(s > 0, `${info.name} has a gradient`);
      assert.ok(Math.sqrt(d / s) < 3e-2, `${info.name}: relative error ${Math.sqrt(d / s)}`);
    }
  });
}

test("SIMD and plain kernels agree on the default-sized network", () => {
  const rng = new Rng(3, "simd-vs-plain");
  const arch: Architecture = {
    towers: [
      { input: "local", inChannels: 5, size: 32, channels: [8, 16, 32] },
      { input: "context", inChannels: 5, size: 16, channels: [8, 16, 32] },
    ],
    meta: 80,
    hidden: [96],
    classes: 4,
  };
  const layout = new Layout(arch);
  const n = 6; // not a multiple of 4: the head's tail runs on plain loops
  const inputs = randomInputs(arch, n, rng);
  const labels = Uint8Array.from([0, 1, 2, 3, 0, 1]);
  const idx = Int32Array.from([5, 4, 3, 2, 1, 0]);
  const params = initParams(layout, () => rng.next());
  const run = (simd: boolean): { probs: Float32Array; grads: Float32Array } => {
    const ws = new Workspace(layout, 8, { simd });
    ws.setParams(params);
    ws.zeroGrads();
    ws.forward(inputs, idx, n);
    ws.backward(labels, idx, n, 1 / n);
    return { probs: ws.probs.slice(0, n * 4), grads: ws.grads.slice() };
  };
  const a = run(true);
  const b = run(false);
  for (let i = 0; i < a.probs.length; i++) assert.ok(Math.abs(a.probs[i] - b.probs[i]) < 1e-5);
  let scale = 0;
  for (const g of b.grads) scale = Math.max(scale, Math.abs(g));
  for (let i = 0; i < a.grads.length; i++) assert.ok(Math.abs(a.grads[i] - b.grads[i]) < 1e-4 * scale, `grad ${i}: ${a.grads[i]} vs ${b.grads[i]}`);
});

test("WebAssembly kernels equal the plain ones on odd shapes", () => {
  const rng = new Rng(11, "kernels");
  const mem = createMemory(1 << 20);
  const wasm = instantiateGemm(mem);
  assert.ok(wasm, "WebAssembly SIMD is available in Node 20");
  const heap = new Float32Array(mem.buffer);
  const fill = (off: number, len: number): void => {
    for (let i = 0; i < len; i++) heap[off + i] = rng.next() - 0.5;
  };
  const close = (a: number, b: number, len: number): void => {
    for (let i = 0; i < len; i++) assert.ok(Math.abs(heap[a + i] - heap[b + i]) < 1e-4, `element ${i}: ${heap[a + i]} vs ${heap[b + i]}`);
  };
  // C += A·Bᵀ with N odd (tail column) and C += A·B.
  for (const [M, N, K] of [[4, 45, 64], [8, 9, 12], [12, 1, 4]]) {
    const A = 0, B = 20000, C1 = 40000, C2 = 60000;
    fill(A, M * K);
    fill(B, N * K);
    fill(C1, M * N);
    heap.copyWithin(C2, C1, C1 + M * N);
    wasm.gemmABt(M, N, K, A * 4, B * 4, C1 * 4);
    gemmABt(M, N, K, heap, A, heap, B, heap, C2);
    close(C1, C2, M * N);
  }
  for (const [M, N, K] of [[4, 8, 1], [8, 16, 45], [12, 64, 7]]) {
    const A = 0, B = 20000, C1 = 40000, C2 = 60000;
    fill(A, M * K);
    fill(B, K * N);
    fill(C1, M * N);
    heap.copyWithin(C2, C1, C1 + M * N);
    wasm.gemmAB(M, N, K, A * 4, B * 4, C1 * 4);
    gemmAB(M, N, K, heap, A, heap, B, heap, C2);
    close(C1, C2, M * N);
  }
  // im2col / col2im, exact.
  for (const [C, S] of [[3, 4], [2, 8]]) {
    const X = 0, COLS1 = 10000, COLS2 = 20000, DX1 = 30000, DX2 = 31000;
    fill(X, C * S * S);
    wasm.im2col3(X * 4, C, S, S, COLS1 * 4);
    im2col3(heap, X, C, S, S, heap, COLS2);
    for (let i = 0; i < C * 9 * S * S; i++) assert.equal(heap[COLS1 + i], heap[COLS2 + i]);
    fill(DX1, C * S * S);
    heap.copyWithin(DX2, DX1, DX1 + C * S * S);
    wasm.col2im3(COLS1 * 4, C, S, S, DX1 * 4);
    col2im3(heap, C, S, S, heap, DX2, COLS1);
    close(DX1, DX2, C * S * S);
  }
});

test("training is deterministic for a seed, whatever the number of threads", async () => {
  const rng = new Rng(5, "train-data");
  const n = 96;
  const inputs = randomInputs(TINY, n, rng, true);
  const labels = new Uint8Array(new SharedArrayBuffer(n));
  for (let i = 0; i < n; i++) labels[i] = i % 4;
  const data = { split: "train", count: n, inputs, labels, types: new Uint8Array(n), chartSeeds: new Int32Array(n), noise: new Array<string>(n).fill("expert") } as unknown as EncodedDataset;
  const opts = { ...defaultTrainOptions(42), arch: TINY, epochs: 2, batchSize: 32, microBatch: 8 };
  const a = await train(data, { ...opts, threads: 0 });
  const b = await train(data, { ...opts, threads: 2 });
  const c = await train(data, { ...opts, threads: 0, seed: 43 });
  assert.deepEqual(Buffer.from(a.params.buffer), Buffer.from(b.params.buffer));
  assert.notDeepEqual(Buffer.from(a.params.buffer), Buffer.from(c.params.buffer));
  assert.ok(a.history[1].loss < a.history[0].loss + 0.05, "the loss does not blow up");
});
