// FinePRM as an ONNX model run by onnxruntime-node. The input encoding belongs to the model
// (packages/prm-model: prepareBatch, FEATURE_SET) and must match the one its config names.
// CPU here; with a CUDA build of onnxruntime and "executionProviders": ["cuda", "cpu"] in the
// model's config.json, the same graph runs on the GPU.
//
// Each model instance is a worker thread with its own session (onnxWorker.ts): onnxruntime-node's
// run() is synchronous, and so is the encoding, so on the event loop they would stall every other
// request (health checks included) and use one core however many the node has. The batcher runs
// as many batches at once as there are instances (--batch-instances); a batch goes to an idle one.
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { FEATURE_SET } from "@sketchvl/prm-model";
import { FailedPreconditionError, UnavailableError } from "@sketchvl/errors";
import type { ModelConfig } from "../repository";
import type { FromWorker, ToWorker, WorkerOptions } from "./onnxWorker";
import { packSteps } from "./stepMessages";
import type { LabelProbabilities, PrmStep, ScoringBackend } from "./types";

type OnnxConfig = Extract<ModelConfig, { backend: "onnx" }>;

interface Pending {
  resolve(probabilities: Float32Array): void;
  reject(error: Error): void;
}

class Instance {
  readonly pending = new Map<number, Pending>();

  constructor(readonly worker: Worker) {}
}

export class OnnxBackend implements ScoringBackend {
  private nextId = 0;
  private closed = false;

  private constructor(
    private readonly instances: Instance[],
    private readonly options: WorkerOptions,
  ) {}

  static async load(dir: string, config: OnnxConfig, instances = 1): Promise<OnnxBackend> {
    if (config.features !== FEATURE_SET) {
      throw new FailedPreconditionError(`model in ${dir} wants input encoding "${config.features}"; this service builds "${FEATURE_SET}"`, "MODEL_UNUSABLE");
    }
    const options: WorkerOptions = {
      modelPath: join(dir, "model.onnx"),
      output: config.output,
      executionProviders: config.executionProviders,
      intraOpThreads: config.intraOpThreads,
    };
    const started = await Promise.allSettled(Array.from({ length: instances }, () => startWorker(options)));
    const failed = started.find((s) => s.status === "rejected");
    if (failed) {
      for (const s of started) if (s.status === "fulfilled") await s.value.terminate();
      throw failed.reason;
    }
    const backend = new OnnxBackend([], options);
    for (const s of started) backend.adopt((s as PromiseFulfilledResult<Worker>).value);
    return backend;
  }

  async score(steps: readonly PrmStep[]): Promise<LabelProbabilities[]> {
    if (this.closed) throw new UnavailableError("this model version is being unloaded; retry", { reason: "SHUTTING_DOWN" });
    if (this.instances.length === 0) throw new UnavailableError("no model instance is running (restarting); retry", { reason: "WORKER_FAILED" });
    // The least busy instance (the batcher never runs more batches than there are instances).
    const instance = this.instances.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    const message: ToWorker = { id, message: packSteps(steps) };
    const probabilities = await new Promise<Float32Array>((resolve, reject) => {
      instance.worker.postMessage(message);
      instance.pending.set(id, { resolve, reject });
    });
    return steps.map((_, i) => [probabilities[i * 4], probabilities[i * 4 + 1], probabilities[i * 4 + 2], probabilities[i * 4 + 3]] as const);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.instances.map((i) => i.worker.terminate()));
  }

  private adopt(worker: Worker): void {
    const instance = new Instance(worker);
    this.instances.push(instance);
    worker.on("message", (m: FromWorker) => {
      if (!("id" in m)) return;
      const pending = instance.pending.get(m.id);
      instance.pending.delete(m.id);
      if ("error" in m) pending?.reject(new Error(`ONNX Runtime: ${m.error}`));
      else pending?.resolve(m.probabilities);
    });
    // A crashed instance (an uncaught error, out of memory) fails its batches (the callers see
    // UNAVAILABLE and retry) and is replaced. Without an "error" listener the crash would take the
    // whole service down; the "exit" that follows does the cleanup.
    let crash = "";
    worker.on("error", (err) => (crash = `: ${err.message}`));
    worker.once("exit", (code) => {
      this.instances.splice(this.instances.indexOf(instance), 1);
      for (const p of instance.pending.values())
        p.reject(new UnavailableError(`a model instance stopped (exit code ${code}${crash}); retry`, { reason: "WORKER_FAILED" }));
      if (this.closed) return;
      startWorker(this.options).then(
        (replacement) => (this.closed ? void replacement.terminate() : this.adopt(replacement)),
        () => undefined, // the model loaded before; if it no longer does, the remaining instances serve
      );
    });
  }
}

/** A worker with its session loaded; rejects with why it could not load. */
function startWorker(options: WorkerOptions): Promise<Worker> {
  const worker = new Worker(join(__dirname, "onnxWorker.js"), { workerData: options });
  return new Promise<Worker>((resolve, reject) => {
    const fail = (error: Error) => {
      void worker.terminate();
      reject(error);
    };
    worker.once("error", fail);
    worker.once("message", (m: FromWorker) => {
      worker.off("error", fail);
      if ("kind" in m && m.kind === "ready") {
        if (m.outputNames.includes(options.output)) return resolve(worker);
        return fail(
          new FailedPreconditionError(`model ${options.modelPath} has no output "${options.output}" (has ${m.outputNames.join(", ")})`, "MODEL_UNUSABLE"),
        );
      }
      fail(new FailedPreconditionError(`cannot load ${options.modelPath}: ${"error" in m ? m.error : "unexpected message"}`, "MODEL_UNUSABLE"));
    });
  });
}
