// Per-run defaults set by ConfigureRun: FinePO overrides and the prior Q(a). Kept beside the run's
// KL window in the state directory (`<run>.config.json`, written atomically), so a restarted
// trainer answers a run exactly as before.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ActionKind } from "@sketchvl/contract";
import { FailedPreconditionError } from "@sketchvl/errors";
import { type ActionDistribution, resolveSettings, runFileStem, type SettingsOverrides } from "./finepo";

const MAX_CACHED_RUNS = 1024;

export interface RunConfig {
  overrides: SettingsOverrides;
  prior: ActionDistribution | undefined;
}

interface StoredRunConfig {
  overrides: SettingsOverrides;
  prior?: Array<[ActionKind, number]>;
}

export class RunConfigs {
  /** Runs looked up so far; `null` remembers "not configured" so the disk is asked once per run. */
  private readonly runs = new Map<string, RunConfig | null>();

  constructor(private readonly stateDir: string | undefined) {
    if (stateDir) mkdirSync(stateDir, { recursive: true });
  }

  get(runId: string): RunConfig | undefined {
    const known = this.runs.get(runId);
    if (known !== undefined) return known ?? undefined;
    let config: RunConfig | null = null;
    const path = this.stateDir ? this.path(runId) : undefined;
    if (path && existsSync(path)) {
      try {
        const stored = JSON.parse(readFileSync(path, "utf8")) as StoredRunConfig;
        resolveSettings(stored.overrides); // a hand-edited or corrupt file must not reach FinePO
        config = { overrides: stored.overrides, prior: stored.prior ? new Map(stored.prior) : undefined };
      } catch (err) {
        throw new FailedPreconditionError(
          `run "${runId}": stored config ${path} is unusable (${(err as Error).message}); call ConfigureRun again`,
          "RUN_NOT_CONFIGURED",
        );
      }
    }
    this.runs.set(runId, config);
    if (this.runs.size > MAX_CACHED_RUNS) this.runs.delete(this.runs.keys().next().value as string);
    return config ?? undefined;
  }

  set(runId: string, config: RunConfig): void {
    if (this.stateDir) {
      const stored: StoredRunConfig = { overrides: config.overrides, prior: config.prior ? [...config.prior] : undefined };
      const path = this.path(runId);
      writeFileSync(`${path}.tmp`, JSON.stringify(stored));
      renameSync(`${path}.tmp`, path);
    }
    this.runs.set(runId, config);
  }

  private path(runId: string): string {
    return join(this.stateDir!, `${runFileStem(runId)}.config.json`);
  }
}
