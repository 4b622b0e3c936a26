// Answers remembered by a caller's request id: RL clients retry on any error, so the same request
// arrives twice (or twice at once). The same id with the same request gets the same answer, computed
// once; the same id with a different request is refused rather than answered wrongly.
import { createHash } from "node:crypto";
import { InvalidArgumentError } from "./errors";

interface Entry<T> {
  fingerprint: string;
  answer: Promise<T>;
  bytes: number;
}

export interface IdempotencyLimits<T> {
  /** Answers kept (oldest forgotten first); 0 turns remembering off. */
  maxEntries: number;
  /** Memory the kept answers may take, as `sizeOf` estimates it. */
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
        return Promise.reject(new InvalidArgumentError("request_id", `"${requestId}" was already used for a different request`));
      }
      return known.answer;
    }
    const answer = compute();
    const entry: Entry<T> = { fingerprint, answer, bytes: 0 };
    this.entries.set(requestId, entry);
    answer.then(
      (value) => {
        if (this.entries.get(requestId) !== entry) return;
        entry.bytes = this.limits.sizeOf?.(value) ?? 0;
        this.bytes += entry.bytes;
        this.evict();
      },
      () => {
        if (this.entries.get(requestId) === entry) this.entries.delete(requestId);
      },
    );
    this.evict();
    return answer;
  }

  private evict(): void {
    const maxBytes = this.limits.maxBytes ?? Number.POSITIVE_INFINITY;
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= this.capacity && this.bytes <= maxBytes) break;
      this.entries.delete(id);
      this.bytes -= entry.bytes;
    }
  }
}
