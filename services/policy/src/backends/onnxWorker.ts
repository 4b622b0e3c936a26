// The built-in policy's ONNX sessions on their own thread (started by onnx.ts): encoder.onnx and
// decoder.onnx runs are synchronous CPU work that would stall the service's event loop (health
// checks, the renderer's answers, other groups' bookkeeping). The engine (engine.ts) batches every
// row of every group of this version; on start the worker replays check.json through it.
import { readFileSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import * as ort from "onnxruntime-node";
import { type CheckOutcome, checkSchema, replayCheck } from "./checkReplay";
import { Engine, type Job, type JobResult, type ModelFunctions } from "./engine";

export interface WorkerOptions {
  encoderPath: string;
  decoderPath: string;
  checkPath: string;
  architecture: { image_size: number; d_model: number; layers: number; heads: number; vocab_size: number; max_positions: number };
  executionProviders: string[];
  intraOpThreads: number;
  maxBatchRows: number;
}

export type ToWorker = { kind: "jobs"; jobs: Array<{ id: number; job: Job }> } | { kind: "release"; rows: number[] } | { kind: "stats"; id: number };

/** A finished job: its result, or why it failed. */
export type Outcome = { id: number; result: JobResult } | { id: number; error: string };

export type FromWorker =
  | { kind: "ready"; check: CheckOutcome }
  | { kind: "failed"; error: string }
  | { kind: "done"; outcomes: Outcome[] }
  | { kind: "stats"; id: number; stats: Engine["stats"] };

const ENCODER_STRIDE = 16;
/** Row ids from here up are the check's (the service numbers its rows from 0). */
const CHECK_ROWS = 2 ** 40;

async function open(options: WorkerOptions): Promise<{ engine: Engine; check: CheckOutcome }> {
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: options.executionProviders,
    intraOpNumThreads: options.intraOpThreads,
    graphOptimizationLevel: "all",
  };
  const [encoder, decoder] = await Promise.all([
    ort.InferenceSession.create(options.encoderPath, sessionOptions),
    ort.InferenceSession.create(options.decoderPath, sessionOptions),
  ]);
  expectNames("encoder.onnx", encoder, ["image"], ["cross_kv"]);
  expectNames("decoder.onnx", decoder, ["token", "position", "attention_mask", "past_kv", "cross_kv"], ["logprobs", "present_kv"]);
  const a = options.architecture;
  const S = a.image_size;
  const shape = {
    layers: a.layers,
    heads: a.heads,
    headDim: a.d_model / a.heads,
    visualTokens: (S / ENCODER_STRIDE) ** 2,
    vocab: a.vocab_size,
    maxPositions: a.max_positions,
  };
  const { layers, heads, headDim, visualTokens } = shape;
  const model: ModelFunctions = {
    shape,
    async decode(f) {
      const B = f.rows;
      const P = f.columns;
      const out = await decoder.run({
        token: new ort.Tensor("int64", f.token, [B, 1]),
        position: new ort.Tensor("int64", f.position, [B, 1]),
        attention_mask: new ort.Tensor("float32", f.attentionMask, [B, P + 1]),
        past_kv: new ort.Tensor("float32", f.past, [layers, 2, B, heads, P, headDim]),
        cross_kv: new ort.Tensor("float32", f.cross, [layers, 2, B, heads, visualTokens, headDim]),
      });
      return { logprobs: out.logprobs.data as Float32Array, present: out.present_kv.data as Float32Array };
    },
    async encode(images) {
      const N = images.length;
      const input = new Float32Array(N * 3 * S * S);
      images.forEach((img, i) => {
        input.set(img, i * 3 * S * S);
      });
      const out = await encoder.run({ image: new ort.Tensor("float32", input, [N, 3, S, S]) });
      const cross = out.cross_kv;
      const want = [layers, 2, N, heads, visualTokens, headDim];
      if (cross.dims.join() !== want.join()) throw new Error(`encoder.onnx gave cross_kv [${cross.dims}], config.json implies [${want}]`);
      const data = cross.data as Float32Array;
      const block = heads * visualTokens * headDim;
      return images.map((_, i) => {
        const one = new Float32Array(layers * 2 * block);
        for (let lk = 0; lk < layers * 2; lk++) one.set(data.subarray((lk * N + i) * block, (lk * N + i + 1) * block), lk * block);
        return one;
      });
    },
  };
  const engine = new Engine(model, options.maxBatchRows);
  let check: CheckOutcome;
  try {
    check = await replayCheck(engine, checkSchema.parse(JSON.parse(readFileSync(options.checkPath, "utf8"))), 3 * S * S, CHECK_ROWS);
  } catch (err) {
    throw new Error(`check.json: ${(err as Error).message}`);
  }
  return { engine, check };
}

function expectNames(file: string, session: ort.InferenceSession, inputs: string[], outputs: string[]): void {
  const missing = [...inputs.filter((n) => !session.inputNames.includes(n)), ...outputs.filter((n) => !session.outputNames.includes(n))];
  if (missing.length > 0) {
    throw new Error(`${file} lacks ${missing.join(", ")} (has inputs ${session.inputNames.join(", ")}; outputs ${session.outputNames.join(", ")})`);
  }
}

async function main(): Promise<void> {
  const port = parentPort!;
  let engine: Engine;
  try {
    const opened = await open(workerData as WorkerOptions);
    engine = opened.engine;
    port.postMessage({ kind: "ready", check: opened.check } satisfies FromWorker);
  } catch (err) {
    port.postMessage({ kind: "failed", error: (err as Error).message } satisfies FromWorker);
    return;
  }
  // Jobs that finish in the same step go back in one message (a message costs more than its bytes).
  let outbox: Outcome[] = [];
  const send = (outcome: Outcome) => {
    if (outbox.push(outcome) > 1) return;
    queueMicrotask(() => {
      port.postMessage({ kind: "done", outcomes: outbox } satisfies FromWorker);
      outbox = [];
    });
  };
  port.on("message", (message: ToWorker) => {
    if (message.kind === "release") return engine.release(message.rows);
    if (message.kind === "stats") return port.postMessage({ kind: "stats", id: message.id, stats: { ...engine.stats } } satisfies FromWorker);
    for (const { id, job } of message.jobs) {
      engine.run(job).then(
        (result) => send({ id, result }),
        (err: Error) => send({ id, error: err.message }),
      );
    }
  });
}

void main();
