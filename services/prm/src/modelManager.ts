// Which model versions are loaded, and which one serves each model. A new version is loaded,
// then switched to, then the old one is drained and unloaded — requests already queued on the
// old version finish there, new ones go to the new version, none fails (Triton's poll mode does
// this in the other order).
import { FailedPreconditionError, NotFoundError } from "@sketchvl/runtime/errors";
import { type BatchObserver, DynamicBatcher, type BatcherOptions, type BatcherStats } from "./batcher";
import { type BackendFactory, type LabelProbabilities, type PrmStep, type ScoringBackend } from "./backends";
import type { ModelRepository } from "./repository";

export type ModelState = "AVAILABLE" | "LOADING" | "READY" | "UNLOADING";

export interface LoadedVersion {
  model: string;
  version: string;
  backendName: string;
  state: ModelState;
  backend: ScoringBackend;
  batcher: DynamicBatcher<PrmStep, LabelProbabilities>;
}

export interface ModelStatusView {
  model: string;
  version: string;
  backend: string;
  state: ModelState;
  stats: BatcherStats | undefined;
}

export class ModelManager {
  /** model → version → loaded version. */
  private readonly loaded = new Map<string, Map<string, LoadedVersion>>();
  /** model → the version new requests go to. */
  private readonly serving = new Map<string, LoadedVersion>();
  /** Loads and unloads of one model run one after another. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly repository: ModelRepository,
    private readonly defaults: BatcherOptions,
    private readonly createBackend: BackendFactory,
    private readonly observe?: (model: string, version: string) => BatchObserver,
  ) {}

  /** Scores one step on the version serving `model` now (looked up and queued in the same tick). */
  submit(model: string, step: PrmStep, signal?: AbortSignal): { version: LoadedVersion; result: Promise<LabelProbabilities> } {
    const version = this.serving.get(model);
    if (!version) {
      const known = this.repository.versions(model).length > 0;
      if (known) throw new FailedPreconditionError(`model "${model}" is not loaded: call LoadModel first`);
      throw new NotFoundError("model", `no model "${model}" (loaded: ${[...this.serving.keys()].join(", ") || "none"})`);
    }
    return { version, result: version.batcher.submit(step, signal) };
  }

  load(model: string, version = ""): Promise<ModelStatusView> {
    return this.exclusive(model, async () => {
      const entry = this.repository.resolve(model, version);
      const existing = this.loaded.get(model)?.get(entry.version);
      if (existing) {
        this.serving.set(model, existing);
        return view(existing);
      }
      const config = this.repository.config(entry);
      const batching = { ...this.defaults, ...config.batching };
      const backend = await this.createBackend(entry, config, batching.instances ?? 1);
      const loaded: LoadedVersion = {
        model,
        version: entry.version,
        backendName: config.backend,
        state: "READY",
        backend,
        batcher: new DynamicBatcher(
          (steps) => backend.score(steps),
          batching,
          this.observe?.(model, entry.version),
          "prm",
        ),
      };
      const versions = this.loaded.get(model) ?? new Map<string, LoadedVersion>();
      versions.set(entry.version, loaded);
      this.loaded.set(model, versions);
      const previous = this.serving.get(model);
      this.serving.set(model, loaded);
      if (previous && previous !== loaded) await this.retire(previous);
      return view(loaded);
    });
  }

  unload(model: string, version = ""): Promise<ModelStatusView[]> {
    return this.exclusive(model, async () => {
      const versions = this.loaded.get(model);
      const targets = [...(versions?.values() ?? [])].filter((v) => !version || v.version === version);
      if (targets.length === 0) throw new NotFoundError("model", `model "${model}"${version ? ` version ${version}` : ""} is not loaded`);
      for (const target of targets) {
        if (this.serving.get(model) === target) this.serving.delete(model);
        await this.retire(target);
      }
      return targets.map(view);
    });
  }

  /** Repository entries with their load state, plus what is loaded. */
  list(): ModelStatusView[] {
    return this.repository.list().map((entry) => {
      const loaded = this.loaded.get(entry.model)?.get(entry.version);
      if (loaded) return view(loaded);
      let backend = "";
      try {
        backend = this.repository.config(entry).backend;
      } catch {
        backend = "invalid config";
      }
      return { model: entry.model, version: entry.version, backend, state: "AVAILABLE", stats: undefined };
    });
  }

  async close(): Promise<void> {
    for (const model of [...this.loaded.keys()]) await this.unload(model).catch(() => undefined);
  }

  /** Finish what is queued on `version`, then release it. */
  private async retire(version: LoadedVersion): Promise<void> {
    version.state = "UNLOADING";
    await version.batcher.drain();
    await version.backend.close();
    this.loaded.get(version.model)?.delete(version.version);
  }

  private exclusive<T>(model: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(model) ?? Promise.resolve();
    const next = previous.then(task, task);
    this.locks.set(model, next.catch(() => undefined));
    return next;
  }
}

function view(v: LoadedVersion): ModelStatusView {
  return { model: v.model, version: v.version, backend: v.backendName, state: v.state, stats: v.batcher.stats() };
}
