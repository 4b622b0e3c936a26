// Answers remembered by a caller's request id: RL clients retry on any error, so the same request
// arrives twice (or twice at once). The same id with the same request gets the same answer, computed
// once; the same id with a different request is refused rather than answered wrongly.
import { createHash } from "node:crypto";
import { InvalidArgumentError } from "./errors";

interface Entry<T> {
  fingerprint: string;
  answer: Promise<T>;
}

export class IdempotencyCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  /** @param capacity answers kept (oldest forgotten first); 0 turns remembering off. */
  constructor(private readonly capacity: number) {}

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
    this.entries.set(requestId, { fingerprint, answer });
    answer.catch(() => {
      if (this.entries.get(requestId)?.answer === answer) this.entries.delete(requestId);
    });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return answer;
  }
}
