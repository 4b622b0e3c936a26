// Drawing off the event loop: a pool of drawing threads (drawingThread.ts). A call's steps go to the
// least busy thread as plain data (planned actions, the image's shared pixels); each step's edits
// come back as soon as they are drawn and are replayed here onto the caller's image (applyEdits),
// so the after-images are the same objects, patches and pixels as drawing in-process gives.
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { ResourceExhaustedError, UnavailableError } from "@sketchvl/errors";
import { AsyncQueue } from "@sketchvl/async-queue";
import { applyEdits, type Edit, markedPixels, type PlannedAction } from "./draw";
import type { RasterImage } from "./images";
import { editsFromMessage, imageMessage } from "./threadImages";
import type { ToDrawingThread } from "./drawingThread";

export type FromDrawingThread = { id: number; step: number; edits: Edit[] } | { id: number; done: true } | { id: number; error: string };

interface Thread {
  worker: Worker;
  calls: Map<number, AsyncQueue<Edit[]>>;
}

/** Calls a thread works on at once: two keep it busy while libvips rasterizes for one of them. */
const CALLS_PER_THREAD = 2;
/** Pixels of marks and images waiting for a thread: a few seconds of drawing on 2 cores. */
const MAX_QUEUED_PIXELS = 100_000_000;

export class DrawingThreads {
  private readonly threads: Thread[] = [];
  /** Calls waiting for a thread, first come first served, and the pixels they will draw. */
  private readonly waiting: Array<() => void> = [];
  private queuedPixels = 0;
  private nextId = 0;
  private closed = false;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`drawing threads must be a positive integer, got ${size}`);
    for (let i = 0; i < size; i++) this.start();
  }

  /**
   * Draws each step on the image the step before left (as drawSteps does) and yields the
   * after-images in order. Stopping the iteration (or `signal`) stops the thread's work at the next step.
   */
  async *drawSteps(image: RasterImage, steps: PlannedAction[][], signal?: AbortSignal): AsyncGenerator<RasterImage> {
    if (this.closed) throw new UnavailableError("the renderer is shutting down; retry on another replica", { reason: "SHUTTING_DOWN" });
    const id = this.nextId++;
    const results = new AsyncQueue<Edit[]>();
    const thread = await this.claimThread(id, results, image.width * image.height + markedPixels(steps), signal);
    const cancel = () => thread.worker.postMessage({ cancel: id } satisfies ToDrawingThread);
    signal?.addEventListener("abort", cancel, { once: true });
    let finished = false;
    try {
      thread.worker.postMessage({ id, image: imageMessage(image), steps } satisfies ToDrawingThread);
      let current = image;
      for await (const edits of results) {
        current = applyEdits(current, editsFromMessage(edits));
        yield current;
      }
      finished = true;
    } finally {
      signal?.removeEventListener("abort", cancel);
      if (!finished) cancel();
      thread.calls.delete(id);
      this.waiting.shift()?.();
    }
  }

  /**
   * A thread with fewer than CALLS_PER_THREAD calls, in arrival order: calls interleaved on one
   * thread all finish late (21 heavy calls at once took 9× as long each), so the rest wait their
   * turn — admitted already, their memory reserved. The wait is bounded by the pixels waiting to be
   * drawn (a few seconds of work), not by a count: a group's many light trajectories queue, while a
   * heavy call finding others waiting is refused at once rather than waiting past its deadline.
   */
  private async claimThread(id: number, results: AsyncQueue<Edit[]>, pixels: number, signal?: AbortSignal): Promise<Thread> {
    let ourTurn = this.waiting.length === 0;
    for (;;) {
      signal?.throwIfAborted();
      const thread = this.threads.reduce((a, b) => (b.calls.size < a.calls.size ? b : a));
      if (ourTurn && thread.calls.size < CALLS_PER_THREAD) {
        thread.calls.set(id, results); // at once: calls arriving in the same tick see it taken
        return thread;
      }
      if (!ourTurn) this.checkRoom(pixels);
      this.queuedPixels += pixels;
      try {
        await new Promise<void>((resolve) => {
          const onAbort = () => {
            this.waiting.splice(this.waiting.indexOf(wake), 1);
            resolve();
          };
          const wake = () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          };
          // Woken before and still no room (a thread restarting): first in line again.
          if (ourTurn) this.waiting.unshift(wake);
          else this.waiting.push(wake);
          signal?.addEventListener("abort", onAbort, { once: true });
        });
      } finally {
        this.queuedPixels -= pixels;
      }
      ourTurn = true;
    }
  }

  /**
   * Throws RESOURCE_EXHAUSTED when a call of `pixels` (marks and image) would find the queue full:
   * with 0, for a cheap refusal before any other work.
   */
  checkRoom(pixels = 0): void {
    if (this.waiting.length > 0 && this.queuedPixels + pixels > MAX_QUEUED_PIXELS) {
      throw new ResourceExhaustedError(
        `busy: every drawing thread is working and ${this.waiting.length} calls (${Math.round(this.queuedPixels / 1e6)} M pixels) wait their turn; retry with backoff`,
      );
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private start(): void {
    const thread: Thread = { worker: new Worker(join(__dirname, "drawingThread.js")), calls: new Map() };
    this.threads.push(thread);
    thread.worker.on("message", (m: FromDrawingThread) => {
      const call = thread.calls.get(m.id);
      if (!call) return;
      if ("edits" in m) call.push(m.edits);
      else if ("done" in m) call.end();
      else call.fail(new Error(`drawing thread: ${m.error}`));
    });
    // A thread that dies (out of memory, a bug) fails its calls as retryable and is replaced;
    // without an "error" listener it would take the whole service down.
    let crash = "";
    thread.worker.on("error", (err) => (crash = `: ${err.message}`));
    thread.worker.once("exit", (code) => {
      this.threads.splice(this.threads.indexOf(thread), 1);
      for (const call of thread.calls.values())
        call.fail(new UnavailableError(`a drawing thread stopped (exit code ${code}${crash}); retry`, { reason: "WORKER_FAILED" }));
      if (this.closed) return;
      this.start();
      for (let i = 0; i < CALLS_PER_THREAD; i++) this.waiting.shift()?.(); // the new thread has room
    });
  }
}
