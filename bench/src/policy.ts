// bench/policy: rollout tokens/s of the policy service's onnx backend against raw ONNX Runtime
// decoding the same batches in this process, in one run.
//   service   the policy as its own process beside a renderer: Generate, groups of k rollouts of a
//             ChartWorld question (draw-and-look: every turn parsed and drawn by the renderer, the
//             drawn image encoded for the next turn), at concurrency 1 and 4 (groups at once share
//             decoder runs)
//   raw ORT   encoder.onnx + decoder.onnx with the KV cache fed back, greedy argmax, one group of k
//             rows at a time (and k × 4 rows), with the service's own mean tokens and turns per
//             rollout: the prompt fed, then per turn an encoder run and the tokens — no renderer,
//             no gRPC, no idle rows
//   backend   the service's onnx backend alone, in this process (its worker thread, continuous
//             batching, sampling; the prompt chart as every turn's image): no renderer, no gRPC
// Sampled tokens only (not the prompt, not image markers). Model: the policy test fixture, or --model.
//   npm run build && node bench/dist/policy.js [--groups N] [--k N] [--model <version dir>]
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { iterateExamples, rasterizeSvg } from "@sketchvl/chartworld";
import { type GenerateResponse, PolicyServiceDefinition } from "@sketchvl/contract";
import { freePort, launchService, repoRoot, SERVICES } from "@sketchvl/launcher";
import { modelInput, promptTokens, SPECIAL_TOKENS, Tokenizer } from "@sketchvl/policy-model";
import { OnnxBackend } from "@sketchvl/policy/dist/backends/onnx";
import { type OnnxConfig, policyRepository } from "@sketchvl/policy/dist/repository";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import * as ort from "onnxruntime-node";
import { cpuMsOf, fmt, runConcurrently, table } from "./support";

const { values } = parseArgs({
  options: {
    groups: { type: "string", default: "24" },
    k: { type: "string", default: "8" },
    model: { type: "string", default: join(repoRoot, "services", "policy", "test-fixtures", "sketchvl-policy", "1") },
  },
});
const GROUPS = Number(values.groups);
const K = Number(values.k);
const MODEL = values.model!;
const CONCURRENCY = [1, 4];

interface Workload {
  png: Buffer;
  question: string;
}

async function workload(): Promise<Workload> {
  for await (const ex of iterateExamples({ split: "train", count: 1 })) return { png: await rasterizeSvg(ex.chart.svg), question: ex.questions[0].question };
  throw new Error("no ChartWorld example");
}

/** The service: tokens/s and the shape of its rollouts (mean sampled tokens and turns per rollout). */
async function service(w: Workload) {
  const repo = mkdtempSync(join(tmpdir(), "bench-policy-"));
  cpSync(MODEL, join(repo, "sketchvl-policy", "1"), { recursive: true });
  const spec = (name: string) => SERVICES.find((s) => s.name === name)!;
  const renderer = await launchService(spec("renderer"), { port: await freePort(), args: ["--log-level", "warn"] });
  const policy = await launchService(spec("policy"), {
    port: await freePort(),
    args: ["--log-level", "warn", "--renderer-address", renderer.address, "--model-repository", repo],
  });
  const channel = createMeshChannel(policy.address);
  const client = createMeshClient(PolicyServiceDefinition, channel, { deadlineMs: 300_000 });
  const generate = (seed: number) =>
    client.generate({
      requestId: "",
      model: "",
      image: { source: { $case: "encoded", value: w.png } },
      question: w.question,
      sampling: { groupSize: K, maxTurns: 4, maxTokensPerTurn: 0, temperature: 1, seed },
      returnModelInputs: false,
    });
  try {
    await generate(0); // warm up
    const out: Record<number, { tokensPerSecond: number; tokens: number; turns: number; cores: number }> = {};
    for (const concurrency of CONCURRENCY) {
      const answers: GenerateResponse[] = [];
      const cpu = cpuMsOf(policy.child.pid!) + cpuMsOf(renderer.child.pid!);
      const seconds = await runConcurrently(GROUPS, concurrency, async (i) => answers.push(await generate(i + 1)));
      const rollouts = answers.flatMap((a) => a.rollouts);
      const sampled = rollouts.reduce((n, r) => n + r.lossMask.filter(Boolean).length, 0);
      out[concurrency] = {
        tokensPerSecond: sampled / seconds,
        tokens: sampled / rollouts.length,
        turns: rollouts.reduce((n, r) => n + r.turns.length, 0) / rollouts.length,
        cores: (cpuMsOf(policy.child.pid!) + cpuMsOf(renderer.child.pid!) - cpu) / (seconds * 1000),
      };
    }
    return out;
  } finally {
    channel.close();
    await policy.stop();
    await renderer.stop();
    rmSync(repo, { recursive: true, force: true });
  }
}

/** The onnx backend in-process: groups of K through its turns (every turn on the prompt's tensor), `concurrency` at once. */
async function backendAlone(w: Workload, concurrency: number): Promise<number> {
  const repo = mkdtempSync(join(tmpdir(), "bench-policy-"));
  cpSync(MODEL, join(repo, "sketchvl-policy", "1"), { recursive: true });
  const repository = policyRepository(repo);
  const entry = repository.resolve("sketchvl-policy", "1");
  const config = repository.config(entry) as OnnxConfig;
  const backend = await OnnxBackend.load(entry, config);
  const tensor = await modelInput({ png: w.png }, config.architecture.image_size);
  const group = async (seed: number) => {
    const sampling = { groupSize: K, maxTurns: 4, maxTokensPerTurn: config.defaults.maxTokensPerTurn, temperature: 1, topP: 1, seed };
    const decoder = backend.startGroup({ question: w.question, sampling }, new AbortController().signal);
    let rows = Array.from({ length: K }, (_, r) => r);
    let sampled = 0;
    for (let turn = 0; turn < sampling.maxTurns && rows.length > 0; turn++) {
      const outs = await Promise.all(decoder.turn(rows.map((row) => ({ row, image: { digest: "prompt", tensor }, last: turn === sampling.maxTurns - 1 }))));
      sampled += outs.reduce((n, o) => n + o.tokens.length, 0);
      rows = rows.filter((_, i) => outs[i].stop === "eot");
    }
    decoder.close();
    return sampled;
  };
  try {
    await group(0);
    let tokens = 0;
    const seconds = await runConcurrently(GROUPS, concurrency, async (i) => {
      const n = await group(i + 1);
      tokens += n;
    });
    return tokens / seconds;
  } finally {
    await backend.close();
    rmSync(repo, { recursive: true, force: true });
  }
}

/** Raw ORT: `rows` rows decoding `tokens` tokens each over `turns` turns, greedy; returns sampled tokens/s. */
async function rawOrt(w: Workload, rows: number, tokens: number, turns: number, groups: number): Promise<number> {
  const config = JSON.parse(readFileSync(join(MODEL, "config.json"), "utf8"));
  const a = config.architecture;
  const tokenizer = Tokenizer.fromJSON(readFileSync(join(MODEL, "vocab.json"), "utf8"));
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ["cpu"], intraOpNumThreads: 1, graphOptimizationLevel: "all" };
  const encoder = await ort.InferenceSession.create(join(MODEL, "encoder.onnx"), options);
  const decoder = await ort.InferenceSession.create(join(MODEL, "decoder.onnx"), options);
  const S = a.image_size;
  const [L, H, D] = [a.layers, a.heads, a.d_model / a.heads];
  const image = await modelInput({ png: w.png }, S);
  const images = new Float32Array(rows * 3 * S * S);
  for (let r = 0; r < rows; r++) images.set(image, r * 3 * S * S);
  const prompt = promptTokens(tokenizer, w.question);
  const perTurn = Math.ceil(tokens / turns);

  const group = async () => {
    let past: ort.Tensor = new ort.Tensor("float32", new Float32Array(0), [L, 2, rows, H, 0, D]);
    let cross = (await encoder.run({ image: new ort.Tensor("float32", images, [rows, 3, S, S]) })).cross_kv;
    let P = 0;
    const next = new BigInt64Array(rows);
    const step = async (feed: BigInt64Array) => {
      const out = await decoder.run({
        token: new ort.Tensor("int64", feed, [rows, 1]),
        position: new ort.Tensor("int64", new BigInt64Array(rows).fill(BigInt(P)), [rows, 1]),
        attention_mask: new ort.Tensor("float32", new Float32Array(rows * (P + 1)).fill(1), [rows, P + 1]),
        past_kv: past,
        cross_kv: cross,
      });
      past = out.present_kv;
      P++;
      const lp = out.logprobs.data as Float32Array;
      const vocab = lp.length / rows;
      for (let r = 0; r < rows; r++) {
        let best = SPECIAL_TOKENS.unk + 1;
        for (let v = best; v < vocab; v++) if (lp[r * vocab + v] > lp[r * vocab + best]) best = v;
        next[r] = BigInt(best);
      }
    };
    for (const t of prompt) await step(new BigInt64Array(rows).fill(BigInt(t)));
    for (let turn = 0; turn < turns; turn++) {
      if (turn > 0) {
        cross = (await encoder.run({ image: new ort.Tensor("float32", images, [rows, 3, S, S]) })).cross_kv;
        await step(new BigInt64Array(rows).fill(BigInt(SPECIAL_TOKENS.image)));
      }
      for (let i = 0; i < perTurn && P < a.max_positions - 1; i++) await step(next);
    }
  };
  await group(); // warm up
  const started = performance.now();
  for (let g = 0; g < groups; g++) await group();
  const seconds = (performance.now() - started) / 1000;
  await encoder.release();
  await decoder.release();
  return (groups * rows * perTurn * turns) / seconds;
}

async function main() {
  const w = await workload();
  console.log(`bench/policy: ${GROUPS} groups of k = ${K} rollouts (temperature 1, up to 4 turns), model ${MODEL}`);
  const measured = await service(w);
  const { tokens, turns } = measured[1];
  console.log(`rollouts: ${fmt(tokens, 1)} sampled tokens over ${fmt(turns, 2)} turns on average`);
  const raw = await rawOrt(w, K, tokens, turns, GROUPS);
  const rawWide = await rawOrt(w, K * 4, tokens, turns, Math.ceil(GROUPS / 4));
  const alone: Record<number, number> = {};
  for (const c of CONCURRENCY) alone[c] = await backendAlone(w, c);
  const rate = (x: number) => `${fmt(x, 0)} tokens/s`;
  console.log(
    table([
      [`raw ORT, batches of ${K} rows (baseline)`, rate(raw), "1.00x"],
      [`raw ORT, batches of ${K * 4} rows`, rate(rawWide), `${fmt(rawWide / raw, 2)}x`],
      ...CONCURRENCY.map((c): [string, string, string] => [
        `onnx backend in-process, ${c} group${c > 1 ? "s" : ""} at once`,
        rate(alone[c]),
        `${fmt(alone[c] / raw, 2)}x raw ORT`,
      ]),
      ...CONCURRENCY.map((c): [string, string, string] => [
        `service, ${c} group${c > 1 ? "s" : ""} at once (renderer in the loop)`,
        rate(measured[c].tokensPerSecond),
        `${fmt(measured[c].tokensPerSecond / raw, 2)}x raw ORT (${fmt(measured[c].cores, 2)} cores busy: policy + renderer)`,
      ]),
    ]),
  );
  console.log(
    `onnx backend/raw ORT, same batch size (k = ${K}): ${fmt(alone[1] / raw, 2)}x; ${CONCURRENCY.at(-1)} groups at once vs raw ORT on ${K * 4}-row batches: ${fmt(alone[CONCURRENCY.at(-1)!] / rawWide, 2)}x`,
  );
  console.log(
    `service/raw ORT, same batch size (k = ${K}, one group at a time): ${fmt(measured[1].tokensPerSecond / raw, 2)}x; ` +
      `${CONCURRENCY.at(-1)} groups at once vs raw ORT on ${K * 4}-row batches: ${fmt(measured[CONCURRENCY.at(-1)!].tokensPerSecond / rawWide, 2)}x`,
  );
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
