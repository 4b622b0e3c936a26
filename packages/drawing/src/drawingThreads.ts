// Drawing off the event loop: a pool of drawing threads (drawingThread.ts). A call's steps go to the
// least busy thread as plain data (planned actions, the image's shared pixels); each step's edits
// come back as soon as they are drawn and are replayed here onto the caller's image (applyEdits),
// so the after-images are the same objects, patches and pixels as drawing in-process gives.
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { ResourceExhaustedError, UnavailableError } from "@sketchvl/errors";
import { AsyncQueue } from "@sketchvl/async-queue";
import { applyEdits, type Edit, markedPixels, type PlannedAction, RASTER_CHUNK_PIXELS } from "./draw";
import type { RasterImage } from "./images";
import { editsFromMessage, imageMessage } from "./threadImages";
import type { ToDrawingThread } from "./drawingThread";

/** `rasterized`: SVG documents the thread rasterized since its last report (what batching saves). */
export type FromDrawingThread =
  | { id: number; trajectory: number; step: number; edits: Edit[] }
  | { id: number; done: true; rasterized: number }
  | { id: number; error: string };

/** A step's edits, of one of a call's trajectories. */
interface Drawn {
  trajectory: number;
  edits: Edit[];
}

interface Thread {
  worker: Worker;
  /** The calls it works on and the pixels of their marks. */
  calls: Map<number, { results: AsyncQueue<Drawn>; marked: number }>;
  marked: number;
}

/** Calls a thread works on at once whatever their size: two keep it busy while libvips rasterizes for one of them. */
const CALLS_PER_THREAD = 2;
/**
 * Marked pixels a thread may hold in flight when it takes a call beyond CALLS_PER_THREAD: one
 * chunk (draw.ts), which the thread rasterizes in one sharp call (drawingThread.ts), so the light
 * calls it takes together cost one chunk's memory and time (~20 ms) before they all finish, as one
 * heavy call's chunk does. A group's trajectories (~20 k pixels each) then share a few sharp calls.
 */
const LIGHT_PIXELS_PER_THREAD = RASTER_CHUNK_PIXELS;
/** Calls a thread takes at most, however light: each still costs its messages and edits on the thread. */
const MAX_CALLS_PER_THREAD = 16;
/** Pixels of marks and images waiting for a thread: a few seconds of drawing on 2 cores. */
const MAX_QUEUED_PIXELS = 100_000_000;

export class DrawingThreads {
  private readonly threads: Thread[] = [];
  /** Calls waiting for a thread, first come first served, and the pixels they will draw. */
  private readonly waiting: Array<() => void> = [];
  private queuedPixels = 0;
  private nextId = 0;
  private rasterizedDocuments = 0;
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
    for await (const drawn of this.drawTrajectories(image, [steps], signal)) yield drawn.after;
  }

  /**
   * drawSteps for several trajectories on one image, in one call to one thread: their marks are
   * rasterized together and only one message goes each way per step. Yields each trajectory's
   * after-images in order, one trajectory after the other.
   */
  async *drawTrajectories(
    image: RasterImage,
    trajectories: PlannedAction[][][],
    signal?: AbortSignal,
  ): AsyncGenerator<{ trajectory: number; after: RasterImage }> {
    if (this.closed) throw new UnavailableError("the renderer is shutting down; retry on another replica", { reason: "SHUTTING_DOWN" });
    const id = this.nextId++;
    const results = new AsyncQueue<Drawn>();
    const marked = markedPixels(trajectories.flat());
    const thread = await this.claimThread(id, { results, marked }, image.width * image.height + marked, signal);
    const cancel = () => thread.worker.postMessage({ cancel: id } satisfies ToDrawingThread);
    signal?.addEventListener("abort", cancel, { once: true });
    let finished = false;
    try {
      thread.worker.postMessage({ id, image: imageMessage(image), trajectories } satisfies ToDrawingThread);
      let current = image;
      let at = -1;
      for await (const { trajectory, edits } of results) {
        if (trajectory !== at) [current, at] = [image, trajectory];
        current = applyEdits(current, editsFromMessage(edits));
        yield { trajectory, after: current };
      }
      finished = true;
    } finally {
      signal?.removeEventListener("abort", cancel);
      if (!finished) cancel();
      if (thread.calls.delete(id)) thread.marked -= marked;
      this.waiting.shift()?.();
    }
  }

  /**
   * A thread with room, in arrival order: calls interleaved on one thread all finish late (21 heavy
   * calls at once took 9× as long each), so a thread takes CALLS_PER_THREAD calls of any size and
   * more only while all it holds are light (LIGHT_PIXELS_PER_THREAD) — those it rasterizes together.
   * The rest wait their turn — admitted already, their memory reserved. The wait is bounded by the
   * pixels waiting to be drawn (a few seconds of work), not by a count: a group's many light
   * trajectories queue, while a heavy call finding others waiting is refused at once rather than
   * waiting past its deadline.
   */
  private async claimThread(id: number, call: { results: AsyncQueue<Drawn>; marked: number }, pixels: number, signal?: AbortSignal): Promise<Thread> {
    let ourTurn = this.waiting.length === 0;
    let woken = false;
    for (;;) {
      signal?.throwIfAborted();
      const thread = ourTurn ? this.roomFor(call.marked) : undefined;
      if (thread) {
        // At once: calls arriving in the same tick see it taken.
        thread.calls.set(id, call);
        thread.marked += call.marked;
        // One call ending can make room for several light ones: the next in line tries as well.
        if (woken) this.waiting.shift()?.();
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
      woken = true;
    }
  }

  /** Of the threads with room for a call marking `marked` pixels, the one with the fewest calls. */
  private roomFor(marked: number): Thread | undefined {
    const room = (t: Thread) => t.calls.size < CALLS_PER_THREAD || (t.calls.size < MAX_CALLS_PER_THREAD && t.marked + marked <= LIGHT_PIXELS_PER_THREAD);
    return this.threads.filter(room).reduce<Thread | undefined>((best, t) => (best && best.calls.size <= t.calls.size ? best : t), undefined);
  }

  /** SVG documents the threads have rasterized (reported as calls end): sharp calls, the fixed cost batching saves. */
  get rasterized(): number {
    return this.rasterizedDocuments;
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
    const thread: Thread = { worker: new Worker(join(__dirname, "drawingThread.js")), calls: new Map(), marked: 0 };
    this.threads.push(thread);
    thread.worker.on("message", (m: FromDrawingThread) => {
      if ("rasterized" in m) this.rasterizedDocuments += m.rasterized;
      const call = thread.calls.get(m.id)?.results;
      if (!call) return;
      if ("edits" in m) call.push({ trajectory: m.trajectory, edits: m.edits });
      else if ("done" in m) call.end();
      else call.fail(new Error(`drawing thread: ${m.error}`));
    });
    // A thread that dies (out of memory, a bug) fails its calls as retryable and is replaced;
    // without an "error" listener it would take the whole service down.
    let crash = "";
    thread.worker.on("error", (err) => (crash = `: ${err.message}`));
    thread.worker.once("exit", (code) => {
      this.threads.splice(this.threads.indexOf(thread), 1);
      for (const { results } of thread.calls.values())
        results.fail(new UnavailableError(`a drawing thread stopped (exit code ${code}${crash}); retry`, { reason: "WORKER_FAILED" }));
      if (this.closed) return;
      this.start();
      this.waiting.shift()?.(); // the new thread has room (the first admitted wakes the next)
    });
  }
}
