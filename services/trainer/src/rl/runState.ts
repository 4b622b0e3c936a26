// A run's folder: state.json (where the run is: phase, updates done, policy version, checkpoint),
// history.jsonl (one line per update), checkpoints/ and the policy repository models/. state.json is
// written after the checkpoint it names, atomically, so a run killed at any moment resumes from a
// consistent point; history past that point is dropped and redone (the data order is a function
// of the update number, so the redo sees the same prompts).
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { UpdateRecord } from "./rlStep";
import type { Evaluation } from "./evaluate";
import type { CurriculumStage } from "./curriculum";

export interface RunState {
  phase: "sft" | "rl" | "done";
  /** RL updates completed (and checkpointed). */
  updates: number;
  /** The newest policy version published into models/. */
  policyVersion: number;
  checkpoint: string;
  sftUpdates: number;
  /** --curriculum accuracy: the RL update from which the run trains on reasoning questions (unset: still perception). */
  curriculumSwitchAt?: number;
}

export interface EvalRecord extends Evaluation {
  update: number;
  policyVersion: string;
  /** The curriculum stage the run was in when evaluated ("all" without a curriculum). */
  stage?: CurriculumStage;
}

export class RunFolder {
  constructor(readonly dir: string) {
    mkdirSync(join(dir, "checkpoints"), { recursive: true });
    mkdirSync(join(dir, "models"), { recursive: true });
  }

  get models(): string {
    return join(this.dir, "models");
  }

  /** Version numbers present in the run's policy repository. */
  versions(model: string): number[] {
    const dir = join(this.models, model);
    return existsSync(dir)
      ? readdirSync(dir)
          .filter((v) => /^[1-9]\d*$/.test(v))
          .map(Number)
      : [];
  }

  checkpointPath(name: string): string {
    return join(this.dir, "checkpoints", `${name}.pt`);
  }

  readState(): RunState | undefined {
    const path = join(this.dir, "state.json");
    return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as RunState) : undefined;
  }

  writeState(state: RunState): void {
    this.writeAtomically("state.json", `${JSON.stringify(state, null, 2)}\n`);
  }

  /** Update records up to `updates` (later ones belong to work lost with the process). */
  history(updates: number): UpdateRecord[] {
    return this.readLines<UpdateRecord>("history.jsonl").filter((r) => r.update < updates);
  }

  evaluations(updates: number): EvalRecord[] {
    return this.readLines<EvalRecord>("evaluations.jsonl").filter((r) => r.update <= updates);
  }

  /** Rewrites a log without the records a resume discards. */
  truncateLogs(updates: number): void {
    this.writeAtomically(
      "history.jsonl",
      this.history(updates)
        .map((r) => `${JSON.stringify(r)}\n`)
        .join(""),
    );
    this.writeAtomically(
      "evaluations.jsonl",
      this.evaluations(updates)
        .map((r) => `${JSON.stringify(r)}\n`)
        .join(""),
    );
  }

  append(file: "history.jsonl" | "evaluations.jsonl", record: object): void {
    writeFileSync(join(this.dir, file), `${JSON.stringify(record)}\n`, { flag: "a" });
  }

  writeAtomically(name: string, content: string | Buffer): void {
    const path = join(this.dir, name);
    writeFileSync(`${path}.tmp`, content);
    renameSync(`${path}.tmp`, path);
  }

  private readLines<T>(name: string): T[] {
    const path = join(this.dir, name);
    if (!existsSync(path)) return [];
    return readFileSync(path, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as T);
  }
}
