// A client for an OpenAI-compatible /chat/completions endpoint (vLLM, SGLang, a hosted API), as the
// mesh's remote model backends use it (the PRM's remote judge, the policy's openai-compatible
// backend): every call has a timeout, bounded retries with jittered backoff on 408/429/5xx and
// network errors, a client-side rate limit and a bound on calls at once; a caller's abort (its
// gRPC deadline or cancel) ends the call at once and is never retried.
import { z } from "zod";
import { UnavailableError } from "@sketchvl/errors";

/** config.json fields of a remote endpoint (spread into a backend's schema). */
export const remoteEndpointFields = {
  /** Base URL of the API, e.g. "http://policy-vllm:8000/v1". */
  url: z.string().url(),
  model: z.string().min(1),
  /** Environment variable holding the API key, if the endpoint wants one. */
  apiKeyEnv: z.string().optional(),
  timeoutMs: z.number().int().positive().default(30_000),
  maxRetries: z.number().int().nonnegative().default(3),
  requestsPerSecond: z.number().positive().default(20),
  maxConcurrency: z.number().int().positive().default(16),
};

export interface RemoteEndpointConfig {
  url: string;
  model: string;
  apiKeyEnv?: string;
  timeoutMs: number;
  maxRetries: number;
  requestsPerSecond: number;
  maxConcurrency: number;
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

/** Calls start at most `perSecond` a second and at most `concurrency` run at once. */
export class RateLimiter {
  private nextStart = 0;
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly perSecond: number,
    private readonly concurrency: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      const now = performance.now();
      const start = Math.max(now, this.nextStart);
      this.nextStart = start + 1000 / this.perSecond;
      if (start > now) await new Promise((r) => setTimeout(r, start - now));
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export class ChatCompletionsClient {
  private readonly limiter: RateLimiter;

  constructor(readonly config: RemoteEndpointConfig) {
    this.limiter = new RateLimiter(config.requestsPerSecond, config.maxConcurrency);
  }

  /**
   * POSTs `body` (with the configured model) and returns the parsed JSON answer. After the retries,
   * UnavailableError naming `what` and the last problem; the caller's abort rejects with its reason.
   */
  async complete(body: object, what: string, signal?: AbortSignal): Promise<unknown> {
    const payload = JSON.stringify({ model: this.config.model, ...body });
    const headers: Record<string, string> = { "content-type": "application/json" };
    const key = this.config.apiKeyEnv ? process.env[this.config.apiKeyEnv] : undefined;
    if (key) headers.authorization = `Bearer ${key}`;
    const url = `${this.config.url.replace(/\/$/, "")}/chat/completions`;

    let lastProblem = "";
    let timedOut = false;
    for (let attempt = 0; attempt <= this.config.maxRetries; attempt++) {
      if (attempt > 0) await backoff(attempt, signal);
      signal?.throwIfAborted();
      try {
        const timeout = AbortSignal.timeout(this.config.timeoutMs);
        const response = await this.limiter.run(() =>
          fetch(url, { method: "POST", headers, body: payload, signal: signal ? AbortSignal.any([signal, timeout]) : timeout }),
        );
        if (response.ok) return await response.json();
        lastProblem = `HTTP ${response.status}`;
        timedOut = false;
        await response.body?.cancel();
        if (!RETRYABLE.has(response.status)) break;
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        timedOut = (err as Error).name === "TimeoutError";
        lastProblem = timedOut ? `no answer within ${this.config.timeoutMs} ms` : (err as Error).message;
      }
    }
    throw new UnavailableError(`${this.config.url} failed for ${what}: ${lastProblem}`, {
      reason: timedOut ? "DEPENDENCY_TIMED_OUT" : "DEPENDENCY_UNAVAILABLE",
      dependency: this.config.url,
    });
  }
}

/** Exponential backoff with full jitter: 100 ms, 200 ms, 400 ms... at most 2 s; cut short by an abort. */
function backoff(attempt: number, signal?: AbortSignal): Promise<void> {
  const cap = Math.min(2000, 100 * 2 ** (attempt - 1));
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.random() * cap);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
