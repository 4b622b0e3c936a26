// Per-caller request rate for the HTTP endpoint: one token bucket per caller (its token when it
// presents a valid one, else its remote address), so one client cannot take every slot of
// --max-in-flight from the others, and a caller guessing tokens is slowed to the same rate.

export interface RateLimit {
  /** Requests per second a caller may sustain. */
  perSecond: number;
  /** Requests a caller may make at once after being idle. */
  burst: number;
}

/** Buckets kept at most; beyond it, the buckets of idle callers (full again) are dropped. */
const MAX_BUCKETS = 10_000;

export class CallerRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one request from `caller`'s bucket: 0 if admitted, else the seconds until it may retry. */
  take(caller: string): number {
    const now = this.now();
    const bucket = this.buckets.get(caller) ?? { tokens: this.limit.burst, at: now };
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond);
    bucket.at = now;
    if (!this.buckets.has(caller)) {
      if (this.buckets.size >= MAX_BUCKETS) this.dropIdle(now);
      // Still full (many callers at once): the longest-known one goes, as the map keeps insertion order.
      if (this.buckets.size >= MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value as string);
      this.buckets.set(caller, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.limit.perSecond));
  }

  private dropIdle(now: number): void {
    for (const [caller, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond >= this.limit.burst) this.buckets.delete(caller);
    }
  }
}
