// Which model versions are loaded, and which one serves each model. A new version is loaded,
// then switched to, then the old one is drained and unloaded — work already on the old version
// finishes there, new work goes to the new version, nothing fails (Triton's poll mode does this
// in the other order). Generic over what a version loads into (`Servable`): the PRM's is a
// scoring backend behind a dynamic batcher, the policy's a rollout backend with in-flight groups.
import { FailedPreconditionError, NotFoundError } from "@sketchvl/errors";
import type { ModelEntry, ModelRepository } from "./repository";

export type VersionState = "AVAILABLE" | "LOADING" | "READY" | "UNLOADING";

/** What a loaded version must do for the lifecycle. */
export interface Servable {
  /** Resolves once the work it accepted has finished (no new work arrives once draining starts). */
  drain(): Promise<void>;
  /** Releases it (sessions, threads, connections). */
  close(): Promise<void>;
}

export interface LoadedVersion<T> {
  model: string;
  version: string;
  backend: string;
  state: VersionState;
  servable: T;
}

/** A repository entry as listed: loaded (with its servable) or not. */
export interface VersionView<T> {
  model: string;
  version: string;
  backend: string;
  state: VersionState;
  servable: T | undefined;
}

export interface VersionManagerOptions<Config> {
  /** The backend's name as listed ("onnx", ...): config.backend by default. */
  backendOf?: (config: Config) => string;
  /** Called after the version serving a model changed (loaded, switched, unloaded). */
  onChange?: (model: string) => void;
}

export class VersionManager<Config extends { backend: string }, T extends Servable> {
  /** model → version → loaded version. */
  private readonly loaded = new Map<string, Map<string, LoadedVersion<T>>>();
  /** model → the version new work goes to. */
  private readonly current = new Map<string, LoadedVersion<T>>();
  /** "model/version" of versions being loaded now. */
  private readonly loading = new Set<string>();
  /** Loads and unloads of one model run one after another. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly repository: ModelRepository<Config>,
    private readonly open: (entry: ModelEntry, config: Config) => Promise<T>,
    private readonly options: VersionManagerOptions<Config> = {},
  ) {}

  /**
   * The version serving `model` now. Take the work onto it in the same tick (before any await),
   * so that a switch cannot drain it before the work is counted.
   */
  serving(model: string): LoadedVersion<T> {
    const version = this.current.get(model);
    if (version) return version;
    if (this.repository.versions(model).length > 0) throw new FailedPreconditionError(`model "${model}" is not loaded: load it first`, "MODEL_NOT_LOADED");
    throw new NotFoundError("model", `no model "${model}" (loaded: ${[...this.current.keys()].join(", ") || "none"})`, "MODEL_NOT_FOUND");
  }

  isServing(model: string): boolean {
    return this.current.has(model);
  }

  /** Loads `version` (newest when empty) and switches `model` to it; then drains and closes the one it replaces. */
  load(model: string, version = ""): Promise<LoadedVersion<T>> {
    return this.exclusive(model, async () => {
      const entry = this.repository.resolve(model, version);
      const existing = this.loaded.get(model)?.get(entry.version);
      if (existing) {
        await this.switchTo(model, existing);
        return existing;
      }
      const config = this.repository.config(entry);
      const key = `${model}/${entry.version}`;
      this.loading.add(key);
      let servable: T;
      try {
        servable = await this.open(entry, config);
      } finally {
        this.loading.delete(key);
      }
      const loaded: LoadedVersion<T> = { model, version: entry.version, backend: this.backendOf(config), state: "READY", servable };
      const versions = this.loaded.get(model) ?? new Map<string, LoadedVersion<T>>();
      versions.set(entry.version, loaded);
      this.loaded.set(model, versions);
      await this.switchTo(model, loaded);
      return loaded;
    });
  }

  /** Unloads `version` (every loaded version when empty): no new work goes to it, then it drains and closes. */
  unload(model: string, version = ""): Promise<LoadedVersion<T>[]> {
    return this.exclusive(model, async () => {
      const versions = this.loaded.get(model);
      const targets = [...(versions?.values() ?? [])].filter((v) => !version || v.version === version);
      if (targets.length === 0) throw new NotFoundError("model", `model "${model}"${version ? ` version ${version}` : ""} is not loaded`, "MODEL_NOT_LOADED");
      if (targets.includes(this.current.get(model)!)) {
        this.current.delete(model);
        this.options.onChange?.(model);
      }
      await Promise.all(targets.map((t) => this.retire(t)));
      return targets;
    });
  }

  /** Every repository entry with its state, loaded ones with their servable. */
  list(): VersionView<T>[] {
    return this.repository.list().map((entry) => {
      const loaded = this.loaded.get(entry.model)?.get(entry.version);
      if (loaded) return { ...loaded };
      let backend = "";
      try {
        backend = this.backendOf(this.repository.config(entry));
      } catch {
        backend = "invalid config";
      }
      const state: VersionState = this.loading.has(`${entry.model}/${entry.version}`) ? "LOADING" : "AVAILABLE";
      return { model: entry.model, version: entry.version, backend, state, servable: undefined };
    });
  }

  /** Unloads everything (shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.loaded.keys()].map((model) => this.unload(model).catch(() => undefined)));
  }

  /** New work goes to `next` from now on; the version it replaces finishes its work, then closes. */
  private async switchTo(model: string, next: LoadedVersion<T>): Promise<void> {
    const previous = this.current.get(model);
    this.current.set(model, next);
    if (previous === next) return;
    this.options.onChange?.(model);
    if (previous) await this.retire(previous);
  }

  /** Finish what `version` accepted, then release it. */
  private async retire(version: LoadedVersion<T>): Promise<void> {
    version.state = "UNLOADING";
    try {
      await version.servable.drain();
      await version.servable.close();
    } finally {
      this.loaded.get(version.model)?.delete(version.version);
    }
  }

  private backendOf(config: Config): string {
    return this.options.backendOf?.(config) ?? config.backend;
  }

  private exclusive<R>(model: string, task: () => Promise<R>): Promise<R> {
    const previous = this.locks.get(model) ?? Promise.resolve();
    const next = previous.then(task, task);
    this.locks.set(
      model,
      next.catch(() => undefined),
    );
    return next;
  }
}
