// Per-run defaults set by ConfigureRun: FinePO overrides and the prior Q(a). Kept beside the run's
// KL window in the state directory (`<run>.config.json`, written atomically), so a restarted
// trainer answers a run exactly as before.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ActionKind } from "@sketchvl/contract";
import type { ActionDistribution, SettingsOverrides } from "./finepo";

export interface RunConfig {
  overrides: SettingsOverrides;
  prior: ActionDistribution | undefined;
}

interface StoredRunConfig {
  overrides: SettingsOverrides;
  prior?: Array<[ActionKind, number]>;
}

export class RunConfigs {
  private readonly runs = new Map<string, RunConfig>();

  constructor(private readonly stateDir: string | undefined) {
    if (stateDir) mkdirSync(stateDir, { recursive: true });
  }

  get(runId: string): RunConfig | undefined {
    let config = this.runs.get(runId);
    if (!config && this.stateDir) {
      const path = this.path(runId);
      if (existsSync(path)) {
        const stored = JSON.parse(readFileSync(path, "utf8")) as StoredRunConfig;
        config = { overrides: stored.overrides, prior: stored.prior ? new Map(stored.prior) : undefined };
        this.runs.set(runId, config);
      }
    }
    return config;
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
    return join(this.stateDir!, `${encodeURIComponent(runId)}.config.json`);
  }
}
