// Answers remembered by a caller's request id: RL clients retry on any error, so the same request
// arrives twice (or twice at once). The same id with the same request gets the same answer, computed
// once; the same id with a different request is refused rather than answered wrongly.
import { createHash } from "node:crypto";
import { InvalidArgumentError } from "@sketchvl/errors";

interface Entry<T> {
  fingerprint: string;
  answer: Promise<T>;
  bytes: number;
}

/**
 * What an entry costs beside its answer: the request id (UTF-16 in memory), the fingerprint and the
 * map's bookkeeping. Counted from the moment the entry exists (an answer still being computed
 * included), so ids alone — long ones, many in flight — cannot grow the cache past `maxBytes`.
 */
const entryBytes = (requestId: string) => 2 * requestId.length + 64 + 160;

export interface IdempotencyLimits<T> {
  /** Answers kept (oldest forgotten first); 0 turns remembering off. */
  maxEntries: number;
  /** Memory the kept entries may take: their keys (see entryBytes) and answers, as `sizeOf` estimates them. */
  maxBytes?: number;
  sizeOf?: (answer: T) => number;
}

export class IdempotencyCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private bytes = 0;
  private readonly capacity: number;

  constructor(private readonly limits: IdempotencyLimits<T>) {
    this.capacity = limits.maxEntries;
  }

  /**
   * `compute()` for a new id; the remembered (or in-flight) answer for a known one.
   * `request` is the request's canonical bytes (its protobuf encoding). A failed computation is
   * forgotten, so a retry computes again. An empty id is never remembered.
   */
  run(requestId: string, request: Uint8Array, compute: () => Promise<T>): Promise<T> {
    if (!requestId || this.capacity === 0) return compute();
    const fingerprint = createHash("sha256").update(request).digest("hex");
    const known = this.entries.get(requestId);
    if (known) {
      if (known.fingerprint !== fingerprint) {
        return Promise.reject(new InvalidArgumentError("request_id", `"${requestId}" was already used for a different request`, "REQUEST_ID_REUSED"));
      }
      return known.answer;
    }
    const answer = compute();
    const entry: Entry<T> = { fingerprint, answer, bytes: entryBytes(requestId) };
    this.entries.set(requestId, entry);
    this.bytes += entry.bytes;
    answer.then(
      (value) => {
        if (this.entries.get(requestId) !== entry) return;
        const size = this.limits.sizeOf?.(value) ?? 0;
        entry.bytes += size;
        this.bytes += size;
        this.evict();
      },
      () => {
        if (this.entries.get(requestId) !== entry) return;
        this.entries.delete(requestId);
        this.bytes -= entry.bytes;
      },
    );
    this.evict();
    return answer;
  }

  /** Forgets the oldest entries until within both limits; the newest one always stays. */
  private evict(): void {
    const maxBytes = this.limits.maxBytes ?? Number.POSITIVE_INFINITY;
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= 1 || (this.entries.size <= this.capacity && this.bytes <= maxBytes)) break;
      this.entries.delete(id);
      this.bytes -= entry.bytes;
    }
  }
}
