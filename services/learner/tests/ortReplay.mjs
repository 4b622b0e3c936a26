// Replays an exported version's check.json through ONNX Runtime (onnxruntime-node, the runtime
// the policy service serves with): encoder once per image, then the decoder one token at a time
// with the KV cache from P = 0, exactly as sampling does. Also replays all sequences together as
// one batch in lockstep, where a row that has no real token at some step gets a padding entry
// with attention_mask 0 (so masked entries are interleaved in its cache).
//
//   node ortReplay.mjs <version dir>   -> prints {"single": maxdiff, "batched": maxdiff, ...} as JSON
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ort from "onnxruntime-node";

const dir = process.argv[2];
const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
const check = JSON.parse(readFileSync(join(dir, "check.json"), "utf8"));
const { layers, heads, d_model: d, image_size: S } = config.architecture;
const dh = d / heads;
const encoder = await ort.InferenceSession.create(join(dir, "encoder.onnx"));
const decoder = await ort.InferenceSession.create(join(dir, "decoder.onnx"));

function decodeImage(b64) {
  const buf = Buffer.from(b64, "base64");
  return new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4).slice();
}

/** cross_kv [L,2,N,H,V,dh] of one sequence's images. */
async function encode(images) {
  const n = images.length;
  const data = new Float32Array(n * 3 * S * S);
  images.forEach((img, i) => {
    data.set(decodeImage(img), i * 3 * S * S);
  });
  const out = await encoder.run({ image: new ort.Tensor("float32", data, [n, 3, S, S]) });
  return out.cross_kv;
}

/** Gathers rows: result[l][k][b] = src[l][k][pick[b]] (src batch axis 2). */
function gatherBatch(src, pick) {
  const [L, K, N, H, V, D] = src.dims;
  const row = H * V * D;
  const out = new Float32Array(L * K * pick.length * row);
  for (let l = 0; l < L; l++)
    for (let k = 0; k < K; k++)
      pick.forEach((p, b) => {
        const from = ((l * K + k) * N + p) * row;
        out.set(src.data.subarray(from, from + row), ((l * K + k) * pick.length + b) * row);
      });
  return new ort.Tensor("float32", out, [L, K, pick.length, H, V, D]);
}

function maxAbsDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Lockstep replay of rows; schedule[b][t] = index into row b's tokens fed at step t, or -1 (padding). */
async function replay(rows, schedule) {
  const B = rows.length;
  const crosses = await Promise.all(rows.map((r) => encode(r.images)));
  const steps = schedule[0].length;
  let past = new ort.Tensor("float32", new Float32Array(0), [layers, 2, B, heads, 0, dh]);
  const mask = rows.map(() => []);
  const got = rows.map(() => []);
  const vocab = config.architecture.vocab_size;
  for (let t = 0; t < steps; t++) {
    const token = new BigInt64Array(B);
    const position = new BigInt64Array(B);
    const pieces = [];
    rows.forEach((r, b) => {
      const p = schedule[b][t];
      const real = p >= 0;
      token[b] = BigInt(real ? r.tokens[p] : 0);
      position[b] = BigInt(real ? p : 0);
      mask[b].push(real ? 1 : 0);
      // The image this row's current token sees (padding: any, it is never read back).
      pieces.push(gatherBatch(crosses[b], [real ? r.image_index[p] : 0]));
    });
    // Concatenate each row's [L,2,1,H,V,dh] into [L,2,B,H,V,dh].
    const [L, K, , H, V, D] = pieces[0].dims;
    const row = H * V * D;
    const cross = new Float32Array(L * K * B * row);
    pieces.forEach((piece, b) => {
      for (let lk = 0; lk < L * K; lk++) cross.set(piece.data.subarray(lk * row, (lk + 1) * row), (lk * B + b) * row);
    });
    const out = await decoder.run({
      token: new ort.Tensor("int64", token, [B, 1]),
      position: new ort.Tensor("int64", position, [B, 1]),
      attention_mask: new ort.Tensor("float32", Float32Array.from(mask.flat()), [B, t + 1]),
      past_kv: past,
      cross_kv: new ort.Tensor("float32", cross, [L, K, B, H, V, D]),
    });
    past = out.present_kv;
    if (past.dims[4] !== t + 1) throw new Error(`present_kv has ${past.dims[4]} positions, expected ${t + 1}`);
    rows.forEach((r, b) => {
      const p = schedule[b][t];
      if (p >= 0 && p + 1 < r.tokens.length && p + 1 >= r.completion_start) {
        got[b].push(out.logprobs.data[b * vocab + r.tokens[p + 1]]);
      }
    });
  }
  return rows.map((r, b) => maxAbsDiff(got[b], r.logprobs) + (got[b].length === r.logprobs.length ? 0 : Infinity));
}

const rows = check.sequences;
const single = [];
for (const r of rows) {
  single.push(...(await replay([r], [r.tokens.map((_, p) => p)])));
}
// Batched: row b gets a padding step after every (b + 2)-th token, and shorter rows pad at the end.
const schedules = rows.map((r, b) => {
  const s = [];
  r.tokens.forEach((_, p) => {
    s.push(p);
    if ((p + 1) % (b + 2) === 0) s.push(-1);
  });
  return s;
});
const longest = Math.max(...schedules.map((s) => s.length));
schedules.forEach((s) => {
  while (s.length < longest) s.push(-1);
});
const batched = await replay(rows, schedules);
console.log(JSON.stringify({ single: Math.max(...single), batched: Math.max(...batched), sequences: rows.length }));
