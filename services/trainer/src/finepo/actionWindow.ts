// P(a) of Eq. 3: the policy's action-kind frequencies over a sliding window of the last W batches.
// One ActionWindow holds one training run's counts, in memory; runRegistry.ts keys windows by run
// and persists them.
//
// The window for batch b is the W batches STRICTLY BEFORE b ([b−W, b)): every group of batch b then
// sees the same P whatever order its groups arrive in, and a group never regularizes against its
// own actions. The first batch of a run has an empty window: no information, so offsets are 0.
import { ACTION_KIND_SLOTS, ACTION_KINDS, ActionKind, isKnownActionKind } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import type { ActionDistribution } from "./klOffset";

/** Counts by kind, as a Map or any iterable of [kind, count] entries. */
export type ActionCounts = Iterable<readonly [ActionKind, number]>;

/** Default number of batches kept in memory: the largest window a request may ask for. */
export const DEFAULT_RETAIN_BATCHES = 64;

interface BatchCounts {
  readonly counts: Float64Array;
  readonly requestIds: string[];
}

/** Counts every step's kind (Text included: it is an action the policy chose) in a group. */
export function countActionKinds(members: readonly { readonly steps: readonly { readonly kind: ActionKind }[] }[]): Map<ActionKind, number> {
  const table = new Float64Array(ACTION_KIND_SLOTS);
  for (const member of members) for (const step of member.steps) if (isKnownActionKind(step.kind)) table[step.kind]++;
  const out = new Map<ActionKind, number>();
  for (const kind of ACTION_KINDS) if (table[kind] > 0) out.set(kind, table[kind]);
  return out;
}

/** Validates counts into a table indexed by ActionKind. */
export function countsTable(counts: ActionCounts, field = "counts"): Float64Array {
  const table = new Float64Array(ACTION_KIND_SLOTS);
  for (const [kind, count] of counts) {
    if (!isKnownActionKind(kind)) throw new InvalidArgumentError(field, `unknown action kind ${String(kind)}`);
    if (!Number.isFinite(count) || count < 0) {
      throw new InvalidArgumentError(`${field}.${ActionKind[kind]}`, `must be a finite count >= 0, got ${count}`);
    }
    table[kind] += count;
  }
  return table;
}

export function validateBatchIndex(batchIndex: number, field = "batch_index"): void {
  if (!Number.isSafeInteger(batchIndex) || batchIndex < 0) {
    throw new InvalidArgumentError(field, `must be an integer >= 0, got ${batchIndex}`);
  }
}

export class ActionWindow {
  private readonly batches = new Map<number, BatchCounts>();
  /** request id → the batch it was counted in, for idempotency; forgotten with the batch. */
  private readonly seen = new Map<string, number>();
  private newest = -1;

  /** @param retainBatches batches kept behind the newest one; the largest W a request may use. */
  constructor(readonly retainBatches: number = DEFAULT_RETAIN_BATCHES) {
    if (!Number.isInteger(retainBatches) || retainBatches < 1) {
      throw new RangeError(`retainBatches must be an integer >= 1, got ${retainBatches}`);
    }
  }

  /** The highest batch index recorded so far, −1 before the first. */
  get newestBatch(): number {
    return this.newest;
  }

  /**
   * Whether a record would be counted: not a repeat of `requestId` (an empty id is never
   * deduplicated) and not older than the retained range.
   */
  accepts(batchIndex: number, requestId: string): boolean {
    if (requestId !== "" && this.seen.has(requestId)) return false;
    return batchIndex >= this.newest - this.retainBatches;
  }

  /**
   * Counts one group's actions into `batchIndex`. Idempotent by `requestId`: a retried request is
   * counted once. Returns whether it was counted.
   */
  record(batchIndex: number, counts: ActionCounts, requestId: string): boolean {
    validateBatchIndex(batchIndex);
    const table = countsTable(counts);
    if (!this.accepts(batchIndex, requestId)) return false;
    this.recordTable(batchIndex, table, requestId);
    return true;
  }

  /** record() without validation or the acceptance check; for the registry and replay. */
  recordTable(batchIndex: number, table: Float64Array, requestId: string): void {
    let batch = this.batches.get(batchIndex);
    if (batch === undefined) {
      batch = { counts: new Float64Array(ACTION_KIND_SLOTS), requestIds: [] };
      this.batches.set(batchIndex, batch);
    }
    for (let kind = 0; kind < ACTION_KIND_SLOTS; kind++) batch.counts[kind] += table[kind];
    if (requestId !== "") {
      batch.requestIds.push(requestId);
      this.seen.set(requestId, batchIndex);
    }
    if (batchIndex > this.newest) {
      this.newest = batchIndex;
      this.evict();
    }
  }

  /**
   * P(a) for a group of batch `batchIndex`: frequencies over batches [batchIndex − W, batchIndex).
   * Empty (no information → KL offsets 0) when nothing was recorded there.
   */
  currentDistribution(batchIndex: number, windowBatches: number): ActionDistribution {
    validateBatchIndex(batchIndex);
    if (!Number.isInteger(windowBatches) || windowBatches < 1 || windowBatches > this.retainBatches) {
      throw new InvalidArgumentError(
        "config.window_batches",
        `must be an integer in [1, ${this.retainBatches}] (the batches this trainer retains), got ${windowBatches}`,
      );
    }
    const sums = new Float64Array(ACTION_KIND_SLOTS);
    let total = 0;
    for (let b = Math.max(0, batchIndex - windowBatches); b < batchIndex; b++) {
      const batch = this.batches.get(b);
      if (batch === undefined) continue;
      for (let kind = 0; kind < ACTION_KIND_SLOTS; kind++) {
        sums[kind] += batch.counts[kind];
        total += batch.counts[kind];
      }
    }
    const out = new Map<ActionKind, number>();
    if (total === 0) return out;
    for (const kind of ACTION_KINDS) if (sums[kind] > 0) out.set(kind, sums[kind] / total);
    return out;
  }

  /**
   * Forgets batches `batchIndex` and later, with their request ids: a run resumed from a
   * checkpoint redoes them with the checkpoint's policy, and what the abandoned continuation drew
   * must not weigh on the windows of the batches that follow. Earlier batches (the window of
   * `batchIndex` itself) are kept. Returns how many batches were dropped.
   */
  rewind(batchIndex: number): number {
    let dropped = 0;
    for (const [index, batch] of this.batches) {
      if (index < batchIndex) continue;
      for (const id of batch.requestIds) if (this.seen.get(id) === index) this.seen.delete(id);
      this.batches.delete(index);
      dropped++;
    }
    this.newest = Math.max(-1, ...[...this.batches.keys()].filter((b) => b < batchIndex));
    return dropped;
  }

  /** Drops batches the largest allowed window can no longer reach, and their request ids. */
  private evict(): void {
    const oldest = this.newest - this.retainBatches;
    for (const [index, batch] of this.batches) {
      if (index >= oldest) continue;
      for (const id of batch.requestIds) if (this.seen.get(id) === index) this.seen.delete(id);
      this.batches.delete(index);
    }
  }
}
