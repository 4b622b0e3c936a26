// The PRM's loaded model versions: each a scoring backend behind its dynamic batcher. Loading,
// switching, draining and unloading are packages/model-repository's VersionManager (shared with
// the policy service); draining a version means running what is queued on its batcher.
import { type LoadedVersion as Loaded, VersionManager, type VersionState } from "@sketchvl/model-repository";
import { type BatchObserver, DynamicBatcher, type BatcherOptions, type BatcherStats } from "./batcher";
import type { BackendFactory, LabelProbabilities, PrmStep, ScoringBackend } from "./backends";
import type { ModelConfig, ModelRepository } from "./repository";

export type ModelState = VersionState;

/** A loaded version: its backend and the batcher in front of it. */
export class ScoringVersion {
  constructor(
    readonly backend: ScoringBackend,
    readonly batcher: DynamicBatcher<PrmStep, LabelProbabilities>,
  ) {}

  drain(): Promise<void> {
    return this.batcher.drain();
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}

export type LoadedVersion = Loaded<ScoringVersion>;

export interface ModelStatusView {
  model: string;
  version: string;
  backend: string;
  state: ModelState;
  stats: (BatcherStats & { queued: number }) | undefined;
}

export class ModelManager {
  private readonly versions: VersionManager<ModelConfig, ScoringVersion>;

  constructor(
    repository: ModelRepository,
    defaults: BatcherOptions,
    createBackend: BackendFactory,
    observe?: (model: string, version: string) => BatchObserver,
    /** Called after the version serving a model changed (loaded, switched, unloaded). */
    onChange?: (model: string) => void,
  ) {
    this.versions = new VersionManager(
      repository,
      async (entry, config) => {
        const batching = { ...defaults, ...config.batching };
        const backend = await createBackend(entry, config, batching.instances ?? 1);
        return new ScoringVersion(backend, new DynamicBatcher((steps) => backend.score(steps), batching, observe?.(entry.model, entry.version), "prm"));
      },
      { onChange },
    );
  }

  /** Whether some version of `model` takes new work now. */
  isServing(model: string): boolean {
    return this.versions.isServing(model);
  }

  /** Scores one step on the version serving `model` now (looked up and queued in the same tick). */
  submit(model: string, step: PrmStep, signal?: AbortSignal): { version: LoadedVersion; result: Promise<LabelProbabilities> } {
    const version = this.versions.serving(model);
    return { version, result: version.servable.batcher.submit(step, signal) };
  }

  async load(model: string, version = ""): Promise<ModelStatusView> {
    return view(await this.versions.load(model, version));
  }

  async unload(model: string, version = ""): Promise<ModelStatusView[]> {
    return (await this.versions.unload(model, version)).map(view);
  }

  /** Repository entries with their load state, plus what is loaded. */
  list(): ModelStatusView[] {
    return this.versions.list().map(view);
  }

  close(): Promise<void> {
    return this.versions.close();
  }
}

function view(v: { model: string; version: string; backend: string; state: ModelState; servable: ScoringVersion | undefined }): ModelStatusView {
  return { model: v.model, version: v.version, backend: v.backend, state: v.state, stats: v.servable?.batcher.stats() };
}
