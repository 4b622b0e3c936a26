// Dynamic batching, as Triton configures it: requests wait up to `maxQueueDelayMs` for others to
// fill a batch of at most `maxBatchSize`; the queue is bounded and a full queue rejects at once
// (RESOURCE_EXHAUSTED) instead of letting latency grow without bound; a request whose caller gave
// up (deadline, cancel) while it waited leaves the queue and never reaches the model. Up to
// `instances` batches run at once (Triton's instance count; the onnx backend has that many
// worker threads).
import { type Link, type Span, SpanStatusCode, trace } from "@opentelemetry/api";
import { ResourceExhaustedError, UnavailableError } from "@sketchvl/errors";

// Tracing: each item's wait is a "queue" span in its caller's trace; each model call is a "batch"
// span linked to every item it served, so a slow step shows whether it waited or computed.
const tracer = trace.getTracer("sketchvl-batcher");

export interface BatcherOptions {
  maxBatchSize: number;
  maxQueueDelayMs: number;
  maxQueueSize: number;
  /** Batches that may run at once (default 1). */
  instances?: number;
}

export interface BatcherStats {
  requests: number;
  batches: number;
  rejected: number;
  /** Left the queue because the caller gave up before their batch ran. */
  expired: number;
  queueMsTotal: number;
  computeMsTotal: number;
}

/** A caller gave up (deadline or cancel) while its item waited. */
export class QueueWaitAborted extends Error {
  override name = "QueueWaitAborted";
}

interface Pending<In, Out> {
  item: In;
  enqueuedAt: number;
  resolve(value: Out): void;
  reject(error: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
  queueSpan: Span;
}

export type BatchObserver = (event: { size: number; queueMs: number; computeMs: number }) => void;

export class DynamicBatcher<In, Out> {
  private readonly queue: Pending<In, Out>[] = [];
  private running = 0;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];
  private readonly counters: BatcherStats = { requests: 0, batches: 0, rejected: 0, expired: 0, queueMsTotal: 0, computeMsTotal: 0 };

  constructor(
    private readonly run: (items: In[]) => Promise<Out[]>,
    private readonly options: BatcherOptions,
    private readonly observe?: BatchObserver,
    /** Names the spans: "<name>.queue", "<name>.batch". */
    private readonly name = "batcher",
  ) {}

  /** Queues one item; resolves with its result once its batch has run. */
  submit(item: In, signal?: AbortSignal): Promise<Out> {
    if (this.closed) return Promise.reject(new UnavailableError("this model version is being unloaded; retry", { reason: "SHUTTING_DOWN" }));
    if (signal?.aborted) return Promise.reject(new QueueWaitAborted("the caller gave up before the item was queued"));
    if (this.queue.length >= this.options.maxQueueSize) {
      this.counters.rejected++;
      return Promise.reject(
        new ResourceExhaustedError(`queue full: ${this.queue.length} steps waiting (limit ${this.options.maxQueueSize}); retry with backoff`),
      );
    }
    return new Promise<Out>((resolve, reject) => {
      const queueSpan = tracer.startSpan(`${this.name}.queue`);
      const pending: Pending<In, Out> = { item, enqueuedAt: performance.now(), resolve, reject, signal, queueSpan };
      if (signal) {
        pending.onAbort = () => this.expire(pending);
        signal.addEventListener("abort", pending.onAbort, { once: true });
      }
      this.queue.push(pending);
      this.counters.requests++;
      this.schedule();
    });
  }

  /** Stops accepting; resolves when everything queued has run. */
  async drain(): Promise<void> {
    this.closed = true;
    this.schedule();
    if (this.running === 0 && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): BatcherStats & { queued: number } {
    return { ...this.counters, queued: this.queue.length };
  }

  private expire(pending: Pending<In, Out>): void {
    const at = this.queue.indexOf(pending);
    if (at < 0) return; // already running: it completes normally
    this.queue.splice(at, 1);
    this.counters.expired++;
    pending.queueSpan.setStatus({ code: SpanStatusCode.ERROR, message: "caller gave up while queued" });
    pending.queueSpan.end();
    pending.reject(new QueueWaitAborted("the caller gave up (deadline or cancel) while the step waited in the queue"));
    this.notifyIfIdle();
  }

  private schedule(): void {
    const instances = this.options.instances ?? 1;
    // Full batches, or everything when closing, go at once to every free instance.
    const ready = () => this.queue.length >= this.options.maxBatchSize || this.closed || this.options.maxQueueDelayMs <= 0;
    while (this.running < instances && this.queue.length > 0 && ready()) void this.runBatch();
    if (this.running >= instances || this.queue.length === 0) {
      this.notifyIfIdle();
      return;
    }
    // A partial batch waits briefly for company. The delay counts from the oldest waiting item:
    // items that waited through the previous batch do not wait a second full delay.
    if (!this.timer) {
      const waited = performance.now() - this.queue[0].enqueuedAt;
      this.timer = setTimeout(() => void this.runBatch(), Math.max(0, this.options.maxQueueDelayMs - waited));
    }
  }

  private async runBatch(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running >= (this.options.instances ?? 1) || this.queue.length === 0) return;
    this.running++;
    const batch = this.queue.splice(0, this.options.maxBatchSize);
    const started = performance.now();
    let queueMs = 0;
    const links: Link[] = [];
    for (const p of batch) {
      if (p.onAbort) p.signal?.removeEventListener("abort", p.onAbort);
      queueMs += started - p.enqueuedAt;
      p.queueSpan.end();
      links.push({ context: p.queueSpan.spanContext() });
    }
    const batchSpan = tracer.startSpan(`${this.name}.batch`, { links, attributes: { "batch.size": batch.length } });
    try {
      const results = await this.run(batch.map((p) => p.item));
      batch.forEach((p, i) => {
        p.resolve(results[i]);
      });
    } catch (err) {
      batchSpan.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      for (const p of batch) p.reject(err);
    } finally {
      batchSpan.end();
      const computeMs = performance.now() - started;
      this.counters.batches++;
      this.counters.queueMsTotal += queueMs;
      this.counters.computeMsTotal += computeMs;
      this.observe?.({ size: batch.length, queueMs: queueMs / batch.length, computeMs });
      this.running--;
      this.schedule();
    }
  }

  private notifyIfIdle(): void {
    if (this.running > 0 || this.queue.length > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
