// The built-in policy: encoder.onnx + decoder.onnx (exported by the learner) on onnxruntime-node in
// a worker thread (onnxWorker.ts), with the version's own tokenizer (vocab.json). Loading replays
// check.json through the very decoding path sampling uses and refuses the version if its log-probs
// differ from PyTorch's by more than 1e-3. CPU here; "executionProviders": ["cuda", "cpu"] in
// config.json with a CUDA build of onnxruntime runs the same graphs on a GPU.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { ModelEntry } from "@sketchvl/model-repository";
import { promptTokens, SPECIAL_TOKENS, Tokenizer } from "@sketchvl/policy-model";
import { FailedPreconditionError, InvalidArgumentError, UnavailableError } from "@sketchvl/errors";
import type { OnnxConfig } from "../repository";
import { CHECK_TOLERANCE, type CheckOutcome } from "./checkReplay";
import type { Job, JobResult } from "./engine";
import type { FromWorker, ToWorker, WorkerOptions } from "./onnxWorker";
import type { GroupDecoder, GroupSpec, RolloutBackend, TurnOutput, TurnRequest } from "./types";

/** Never sampled: padding, <bos>, and the image marker the loop inserts. */
const BANNED = [SPECIAL_TOKENS.pad, SPECIAL_TOKENS.bos, SPECIAL_TOKENS.image];

export class OnnxBackend implements RolloutBackend {
  readonly needs: { tensorSize: number };
  readonly imageMarker = { id: SPECIAL_TOKENS.image, text: "<image>" };
  readonly defaults: { maxTurns: number; maxTokensPerTurn: number };
  readonly turnEnds = "token";
  private readonly pending = new Map<number, { resolve(r: JobResult): void; reject(e: Error): void }>();
  private nextJob = 0;
  private nextRow = 0;
  private closed = false;
  private crash: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly tokenizer: Tokenizer,
    readonly config: OnnxConfig,
    readonly check: CheckOutcome,
  ) {
    this.needs = { tensorSize: config.architecture.image_size };
    this.defaults = config.defaults;
    worker.on("message", (m: FromWorker) => {
      if (m.kind !== "done") return;
      for (const outcome of m.outcomes) {
        const p = this.pending.get(outcome.id);
        this.pending.delete(outcome.id);
        if ("result" in outcome) p?.resolve(outcome.result);
        else p?.reject(new UnavailableError(`policy decoding: ${outcome.error}`, { reason: "WORKER_FAILED" }));
      }
    });
    // A crashed worker fails what it had (callers see UNAVAILABLE and retry); the version stays
    // unusable until it is loaded again.
    worker.on("error", (err) => (this.crash = err));
    worker.once("exit", (code) => {
      this.crash ??= new Error(`exit code ${code}`);
      for (const p of this.pending.values())
        p.reject(new UnavailableError(`the policy's model thread stopped (${this.crash.message}); retry`, { reason: "WORKER_FAILED" }));
      this.pending.clear();
    });
  }

  static async load(entry: ModelEntry, config: OnnxConfig): Promise<OnnxBackend> {
    const a = config.architecture;
    if (a.d_model % a.heads !== 0 || a.image_size % 16 !== 0) {
      throw new FailedPreconditionError(`${entry.dir}/config.json: d_model must divide by heads and image_size by 16`, "MODEL_UNUSABLE");
    }
    let tokenizer: Tokenizer;
    try {
      tokenizer = Tokenizer.fromJSON(readFileSync(entry.file("vocab.json"), "utf8"));
    } catch (err) {
      if (err instanceof FailedPreconditionError) throw err;
      throw new FailedPreconditionError(`${entry.dir}/vocab.json: ${(err as Error).message}`, "MODEL_UNUSABLE");
    }
    if (tokenizer.vocabSize !== a.vocab_size) {
      throw new FailedPreconditionError(`${entry.dir}: vocab.json has ${tokenizer.vocabSize} tokens, the model ${a.vocab_size}`, "MODEL_UNUSABLE");
    }
    const options: WorkerOptions = {
      encoderPath: entry.file("encoder.onnx"),
      decoderPath: entry.file("decoder.onnx"),
      checkPath: entry.file("check.json"),
      architecture: a,
      executionProviders: config.executionProviders,
      intraOpThreads: config.intraOpThreads,
      maxBatchRows: config.maxBatchRows,
    };
    const worker = new Worker(join(__dirname, "onnxWorker.js"), { workerData: options });
    const check = await new Promise<CheckOutcome>((resolve, reject) => {
      worker.once("error", reject);
      worker.once("message", (m: FromWorker) => {
        worker.off("error", reject);
        if (m.kind === "ready") return resolve(m.check);
        reject(
          new FailedPreconditionError(
            `cannot load ${entry.model} version ${entry.version}: ${m.kind === "failed" ? m.error : "unexpected message"}`,
            "MODEL_UNUSABLE",
          ),
        );
      });
    }).catch(async (err: Error) => {
      await worker.terminate();
      throw err instanceof FailedPreconditionError
        ? err
        : new FailedPreconditionError(`cannot load ${entry.model} version ${entry.version}: ${err.message}`, "MODEL_UNUSABLE");
    });
    if (!(check.maxDiff <= CHECK_TOLERANCE)) {
      await worker.terminate();
      throw new FailedPreconditionError(
        `${entry.model} version ${entry.version} fails check.json: max |logprob diff| ${check.maxDiff.toExponential(2)} > ${CHECK_TOLERANCE} ` +
          `(sequence ${check.sequence}, token ${check.position}): the ONNX files do not reproduce the learner's log-probs`,
        "MODEL_UNUSABLE",
      );
    }
    return new OnnxBackend(worker, tokenizer, config, check);
  }

  startGroup(spec: GroupSpec, signal: AbortSignal): GroupDecoder {
    const prompt = promptTokens(this.tokenizer, spec.question);
    const room = this.config.architecture.max_positions - prompt.length;
    if (room < 2) {
      throw new InvalidArgumentError(
        "question",
        `${prompt.length} tokens with the prompt; the model reads at most ${this.config.architecture.max_positions}`,
        "LIMIT_EXCEEDED",
      );
    }
    const firstRow = this.nextRow;
    this.nextRow += spec.sampling.groupSize;
    const started = new Set<number>();
    const jobs = new Set<number>();
    const rows = Array.from({ length: spec.sampling.groupSize }, (_, r) => firstRow + r);
    const close = () => {
      for (const id of jobs) this.pending.get(id)?.reject(signal.reason ?? new Error("the group was closed"));
      jobs.clear();
      this.post({ kind: "release", rows });
    };
    signal.addEventListener("abort", close, { once: true });
    return {
      promptTokenIds: prompt,
      turn: (requests: readonly TurnRequest[]) => {
        const batch = requests.map((request) => {
          const first = !started.has(request.row);
          started.add(request.row);
          const job: Job = {
            row: firstRow + request.row,
            image: { key: request.image.digest, tensor: request.image.tensor! },
            forced: first ? prompt : [SPECIAL_TOKENS.image],
            sample: {
              rule: { temperature: spec.sampling.temperature, topP: spec.sampling.topP, banned: BANNED },
              seed: spec.sampling.seed,
              stream: request.row,
              maxTokens: spec.sampling.maxTokensPerTurn,
              stops: { eot: SPECIAL_TOKENS.eot, eos: SPECIAL_TOKENS.eos },
            },
            park: !request.last,
          };
          return { id: this.nextJob++, job };
        });
        const results = batch.map(({ id }) => {
          jobs.add(id);
          return this.result(id).finally(() => jobs.delete(id));
        });
        if (signal.aborted) close();
        else this.post({ kind: "jobs", jobs: batch });
        return results.map((r) => r.then((result) => this.turnOutput(result)));
      },
      close: () => {
        signal.removeEventListener("abort", close);
        close();
      },
    };
  }

  /** The engine's counters (for the benchmark). */
  stats(): Promise<unknown> {
    const id = this.nextJob++;
    return new Promise((resolve) => {
      const listener = (m: FromWorker) => {
        if (m.kind !== "stats" || m.id !== id) return;
        this.worker.off("message", listener);
        resolve(m.stats);
      };
      this.worker.on("message", listener);
      this.post({ kind: "stats", id });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
  }

  private result(id: number): Promise<JobResult> {
    if (this.closed || this.crash) return Promise.reject(new UnavailableError("this policy version is unloaded; retry", { reason: "SHUTTING_DOWN" }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  private post(message: ToWorker): void {
    if (!this.closed && !this.crash) this.worker.postMessage(message);
  }

  private turnOutput(result: JobResult): TurnOutput {
    return {
      tokens: result.tokens,
      logprobs: result.logprobs,
      pieces: result.tokens.map((t) => this.tokenizer.piece(t)),
      stop: result.stop === "forced" ? "length" : result.stop,
    };
  }
}
