// A generative FinePRM served elsewhere behind an OpenAI-compatible chat-completions endpoint (how
// a 7B FinePRM served by vLLM would be used), prompted as the paper's reviewer. The score comes
// from the probabilities of the four label tokens in one forward pass (top_logprobs of the first
// generated token), the way VisualPRM reads a judge token. Each call has a timeout, bounded
// retries on 408/429/5xx and network errors, and a client-side rate limit.
import { encodePng, type RasterImage } from "@sketchvl/drawing";
import { UnavailableError } from "@sketchvl/runtime/errors";
import { type LabelProbabilities, oneHot, type PrmStep, type ScoringBackend } from "./types";

export interface RemoteJudgeConfig {
  /** Base URL of the API, e.g. "http://finepr-vllm:8000/v1". */
  url: string;
  model: string;
  /** Environment variable holding the API key, if the endpoint wants one. */
  apiKeyEnv?: string;
  timeoutMs: number;
  maxRetries: number;
  requestsPerSecond: number;
  maxConcurrency: number;
}

export const REVIEWER_PROMPT =
  "You are a meticulous reviewer of visual reasoning steps on charts. You see the chart before " +
  "(image 1) and after (image 2) one drawing step, with the step's intent and action. Judge whether " +
  "the modification in image 2 precisely and correctly realizes the intent. Answer with exactly one " +
  "word: Excellent, Acceptable, Poor or Unacceptable.";

const LABEL_WORDS = ["Excellent", "Acceptable", "Poor", "Unacceptable"];
const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

/** Which label a generated token begins (case-insensitive prefix of at least two letters), or -1. */
export function labelOfToken(token: string): number {
  const t = token.trim().toLowerCase();
  if (t.length < 2) return -1;
  return LABEL_WORDS.findIndex((w) => w.toLowerCase().startsWith(t) || t.startsWith(w.toLowerCase()));
}

interface ChatResponse {
  choices?: Array<{
    message?: { content?: string | null };
    logprobs?: { content?: Array<{ token: string; logprob: number; top_logprobs?: Array<{ token: string; logprob: number }> }> | null } | null;
  }>;
}

/** The four label probabilities from a chat response: top_logprobs of the first token, else the text. */
export function probabilitiesFromResponse(body: ChatResponse): LabelProbabilities {
  const choice = body.choices?.[0];
  const first = choice?.logprobs?.content?.[0];
  const mass = [0, 0, 0, 0];
  for (const candidate of first?.top_logprobs ?? (first ? [first] : [])) {
    const label = labelOfToken(candidate.token);
    if (label >= 0) mass[label] += Math.exp(candidate.logprob);
  }
  const total = mass[0] + mass[1] + mass[2] + mass[3];
  if (total > 0) return mass.map((m) => m / total) as unknown as LabelProbabilities;
  const text = choice?.message?.content ?? "";
  const word = LABEL_WORDS.findIndex((w) => new RegExp(`\\b${w}\\b`, "i").test(text));
  if (word >= 0) return oneHot(word);
  throw new UnavailableError(`the judge's answer names no label: ${JSON.stringify(text.slice(0, 80))}`);
}

/** Requests start at most `perSecond` a second and at most `concurrency` at once. */
class RateLimiter {
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

export class RemoteJudgeBackend implements ScoringBackend {
  private readonly limiter: RateLimiter;

  constructor(private readonly config: RemoteJudgeConfig) {
    this.limiter = new RateLimiter(config.requestsPerSecond, config.maxConcurrency);
  }

  async score(steps: readonly PrmStep[]): Promise<LabelProbabilities[]> {
    return Promise.all(steps.map((step) => this.scoreOne(step)));
  }

  private async scoreOne(step: PrmStep): Promise<LabelProbabilities> {
    const body = JSON.stringify({
      model: this.config.model,
      messages: [
        { role: "system", content: REVIEWER_PROMPT },
        {
          role: "user",
          content: [
            { type: "text", text: `Intent: ${step.intent}\nAction: ${describeAction(step)}` },
            { type: "image_url", image_url: { url: await dataUrl(step.before) } },
            { type: "image_url", image_url: { url: await dataUrl(step.after) } },
          ],
        },
      ],
      max_tokens: 1,
      temperature: 0,
      logprobs: true,
      top_logprobs: 20,
    });
    const headers: Record<string, string> = { "content-type": "application/json" };
    const key = this.config.apiKeyEnv ? process.env[this.config.apiKeyEnv] : undefined;
    if (key) headers.authorization = `Bearer ${key}`;

    let lastProblem = "";
    for (let attempt = 0; attempt <= this.config.maxRetries; attempt++) {
      if (attempt > 0) await backoff(attempt);
      try {
        const response = await this.limiter.run(() =>
          fetch(`${this.config.url.replace(/\/$/, "")}/chat/completions`, {
            method: "POST",
            headers,
            body,
            signal: AbortSignal.timeout(this.config.timeoutMs),
          }),
        );
        if (response.ok) return probabilitiesFromResponse((await response.json()) as ChatResponse);
        lastProblem = `HTTP ${response.status}`;
        await response.body?.cancel();
        if (!RETRYABLE.has(response.status)) break;
      } catch (err) {
        if (err instanceof UnavailableError) throw err;
        lastProblem = (err as Error).name === "TimeoutError" ? `no answer within ${this.config.timeoutMs} ms` : (err as Error).message;
      }
    }
    throw new UnavailableError(`remote judge ${this.config.url} failed for step ${step.id}: ${lastProblem}`);
  }

  async close(): Promise<void> {}
}

function describeAction(step: PrmStep): string {
  const kind = step.action.kind;
  return kind ? `${kind.$case} ${JSON.stringify(kind.value)} ${step.action.color || "red"}` : "none";
}

/**
 * The image as a PNG data URL, encoded once per image: step j's after-image is step j+1's
 * before-image, and a group's steps start from the same chart.
 */
const dataUrls = new WeakMap<RasterImage, Promise<string>>();
function dataUrl(image: RasterImage): Promise<string> {
  let url = dataUrls.get(image);
  if (!url) {
    url = encodePng(image).then((png) => `data:image/png;base64,${png.toString("base64")}`);
    dataUrls.set(image, url);
    url.catch(() => dataUrls.delete(image));
  }
  return url;
}

/** Exponential backoff with full jitter: 100 ms, 200 ms, 400 ms... at most 2 s. */
function backoff(attempt: number): Promise<void> {
  const cap = Math.min(2000, 100 * 2 ** (attempt - 1));
  return new Promise((r) => setTimeout(r, Math.random() * cap));
}

