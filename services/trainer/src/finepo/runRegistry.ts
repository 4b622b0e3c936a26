// The KL windows of all training runs this trainer serves, keyed by run id, with optional
// persistence so a restart does not silently reset a window (which would switch the KL offset off
// for W batches and then let it snap back).
//
// State layout: `<stateDir>/<encodeURIComponent(runId)>.jsonl`, append-only, one line per recorded
// group: {"batch":12,"request":"req-7","counts":{"ACTION_KIND_POINT":2,"ACTION_KIND_LINE":1}},
// and one line per resume from a checkpoint: {"rewind":9} (see prepare()).
// A run's file is replayed the first time the run is used after a start; lines older than the
// retained range are dropped then (the file is rewritten atomically when that, or a torn last line
// from a crash, makes it differ from what was kept). Lines are written with write(2) before the
// answer is returned, so a process crash loses nothing; a machine crash may lose the last lines
// (no fsync per group: the window is a statistic, not a ledger).
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ACTION_KIND_SLOTS, ActionKind, isKnownActionKind } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import type { ActionDistribution } from "./klOffset";
import { type ActionCounts, ActionWindow, countsTable, DEFAULT_RETAIN_BATCHES, validateBatchIndex } from "./actionWindow";

export const DEFAULT_RUN_ID = "default";

/** A run's file name stem: readable when short, a hash when the encoded id would not fit a file name. */
export function runFileStem(runId: string): string {
  const readable = encodeURIComponent(runId);
  return readable.length <= 160 ? readable : `run-${createHash("sha256").update(runId).digest("hex")}`;
}
export const MAX_RUN_ID_LENGTH = 128;

/**
 * How far behind the run's newest batch a group may be and still be counted in its own batch: a
 * straggler (data-parallel workers a step apart, a one-step off-policy pipeline). Further back is
 * a resume from a checkpoint (see prepare()).
 */
export const LATE_BATCHES = 1;

export interface RunRegistryOptions {
  /** Where run files live; no persistence when absent. */
  readonly stateDir?: string;
  /** Batches each window keeps: the largest window_batches a request may ask for. */
  readonly retainBatches?: number;
  /** Runs kept in memory; the least recently used is dropped (and replayed from disk if used again). */
  readonly maxRuns?: number;
  /** Told about skipped lines and rewrites during replay. */
  readonly warn?: (message: string) => void;
  /** Told about each resume (a rewound window). */
  readonly info?: (message: string) => void;
}

interface RunState {
  readonly window: ActionWindow;
  /** Open append descriptor, when persisting. */
  fd: number | undefined;
}

export class RunRegistry {
  private readonly runs = new Map<string, RunState>();
  private readonly retainBatches: number;
  private readonly maxRuns: number;

  constructor(private readonly options: RunRegistryOptions = {}) {
    this.retainBatches = options.retainBatches ?? DEFAULT_RETAIN_BATCHES;
    this.maxRuns = options.maxRuns ?? 256;
    if (!Number.isInteger(this.maxRuns) || this.maxRuns < 1) throw new RangeError(`maxRuns must be >= 1, got ${this.maxRuns}`);
    if (options.stateDir !== undefined) mkdirSync(options.stateDir, { recursive: true });
  }

  /** A run's window (loaded from disk on first use). An empty run id is the "default" run. */
  window(runId: string): ActionWindow {
    return this.run(runId).window;
  }

  /** Counts a group's actions once per request id (see ActionWindow.record), persisting first. */
  record(runId: string, batchIndex: number, counts: ActionCounts, requestId: string): boolean {
    validateBatchIndex(batchIndex);
    const table = countsTable(counts);
    const state = this.run(runId);
    if (!state.window.accepts(batchIndex, requestId)) return false;
    // Disk before memory: if the write throws, nothing changed and the caller may retry.
    if (state.fd !== undefined) writeSync(state.fd, encodeLine(batchIndex, requestId, table));
    state.window.recordTable(batchIndex, table, requestId);
    return true;
  }

  /**
   * Before a group of `batchIndex` is computed. A batch index more than LATE_BATCHES behind the
   * run's newest is a resume from a checkpoint (or a run id reused from batch 0): the window
   * rewinds — batches from `batchIndex` on, drawn by the policy the checkpoint discards, are
   * forgotten (and their request ids, so the redone groups count), the batches before it are
   * reused, so the window of `batchIndex` is the one it had the first time. Written to the run's
   * file before it takes effect, so a restart replays the same window. Never refused: a resume
   * further back than the retained range simply starts with an emptier window.
   */
  prepare(runId: string, batchIndex: number): void {
    validateBatchIndex(batchIndex);
    const state = this.run(runId);
    const newest = state.window.newestBatch;
    if (batchIndex >= newest - LATE_BATCHES) return;
    if (state.fd !== undefined) writeSync(state.fd, `${JSON.stringify({ rewind: batchIndex })}\n`);
    const dropped = state.window.rewind(batchIndex);
    this.options.info?.(
      `run "${runId}": batch_index ${batchIndex} after ${newest}: resumed from a checkpoint; the KL window forgot batches ${batchIndex}–${newest} (${dropped} held) and keeps the ones before`,
    );
  }

  currentDistribution(runId: string, batchIndex: number, windowBatches: number): ActionDistribution {
    return this.run(runId).window.currentDistribution(batchIndex, windowBatches);
  }

  /** Closes every run file. The registry must not be used afterwards. */
  close(): void {
    for (const state of this.runs.values()) if (state.fd !== undefined) closeSync(state.fd);
    this.runs.clear();
  }

  private run(runIdIn: string): RunState {
    const runId = runIdIn === "" ? DEFAULT_RUN_ID : runIdIn;
    let state = this.runs.get(runId);
    if (state !== undefined) {
      // Map order is insertion order: re-inserting marks the run most recently used.
      this.runs.delete(runId);
      this.runs.set(runId, state);
      return state;
    }
    if (runId.length > MAX_RUN_ID_LENGTH) {
      throw new InvalidArgumentError("run_id", `must be at most ${MAX_RUN_ID_LENGTH} characters`, "LIMIT_EXCEEDED");
    }
    state = this.load(runId);
    this.runs.set(runId, state);
    if (this.runs.size > this.maxRuns) {
      const [oldestId, oldest] = this.runs.entries().next().value as [string, RunState];
      if (oldest.fd !== undefined) closeSync(oldest.fd);
      this.runs.delete(oldestId);
    }
    return state;
  }

  private load(runId: string): RunState {
    const window = new ActionWindow(this.retainBatches);
    const dir = this.options.stateDir;
    if (dir === undefined) return { window, fd: undefined };
    const path = join(dir, `${runFileStem(runId)}.jsonl`);
    if (existsSync(path)) {
      const text = readFileSync(path, "utf8");
      let records: Line[] = [];
      let skipped = 0;
      let rewinds = 0;
      for (const raw of text.split("\n")) {
        if (raw.trim() === "") continue;
        const rewind = decodeRewind(raw);
        if (rewind !== undefined) {
          rewinds++;
          records = records.filter((r) => r.batch < rewind);
          continue;
        }
        const line = decodeLine(raw);
        if (line === undefined) skipped++;
        else records.push(line);
      }
      for (const r of records) if (window.accepts(r.batch, r.request)) window.recordTable(r.batch, r.table, r.request);
      // Keep what the window kept, in file order; rewrite when that differs from the file.
      const oldest = window.newestBatch - this.retainBatches;
      const kept = records.filter((r) => r.batch >= oldest);
      if (skipped > 0 || rewinds > 0 || kept.length < records.length || (text.length > 0 && !text.endsWith("\n"))) {
        const tmp = `${path}.tmp`;
        writeFileSync(tmp, kept.map((r) => encodeLine(r.batch, r.request, r.table)).join(""));
        renameSync(tmp, path);
        this.options.warn?.(`run ${runId}: rewrote ${path} (${skipped} unreadable lines, ${records.length - kept.length} out of the window)`);
      }
    }
    return { window, fd: openSync(path, "a") };
  }
}

interface Line {
  readonly batch: number;
  readonly request: string;
  readonly table: Float64Array;
}

function encodeLine(batch: number, request: string, table: Float64Array): string {
  const counts: Record<string, number> = {};
  for (let kind = 1; kind < ACTION_KIND_SLOTS; kind++) if (table[kind] > 0) counts[ActionKind[kind]] = table[kind];
  return `${JSON.stringify({ batch, request, counts })}\n`;
}

/** The batch of a rewind line ({"rewind": 9}), undefined for any other line. */
function decodeRewind(raw: string): number | undefined {
  if (!raw.startsWith('{"rewind":')) return undefined;
  try {
    const { rewind } = JSON.parse(raw) as { rewind?: unknown };
    return typeof rewind === "number" && Number.isSafeInteger(rewind) && rewind >= 0 ? rewind : undefined;
  } catch {
    return undefined;
  }
}

/** A line back to a record; undefined for anything malformed (a torn write, a hand edit). */
function decodeLine(raw: string): Line | undefined {
  try {
    const value = JSON.parse(raw) as { batch?: unknown; request?: unknown; counts?: unknown };
    const { batch, request, counts } = value;
    if (typeof batch !== "number" || !Number.isSafeInteger(batch) || batch < 0) return undefined;
    if (typeof request !== "string" || typeof counts !== "object" || counts === null) return undefined;
    const table = new Float64Array(ACTION_KIND_SLOTS);
    for (const [name, count] of Object.entries(counts)) {
      const kind = ActionKind[name as keyof typeof ActionKind];
      if (!isKnownActionKind(kind) || typeof count !== "number" || !Number.isFinite(count) || count < 0) return undefined;
      table[kind] = count;
    }
    return { batch, request, table };
  } catch {
    return undefined;
  }
}
