// One drawing thread (started by drawingThreads.ts): rasterizing marks waits on libvips, but
// blending them and copying regions is JavaScript, seconds of it for hundreds of large marks, which
// on a service's event loop would hold up every other call, health checks and rejections included.
// Several calls run here at once (they interleave while libvips works).
//
// Light calls arriving together have their marks rasterized together: each sharp call costs
// ~0.4 ms of fixed machinery (thread handoffs, locks, cache hashing) however few pixels it
// draws, which for a trajectory of 4 small marks was more than half the renderer's CPU.
import { parentPort } from "node:worker_threads";
import { drawSteps, markedPixels, type PlannedAction, RASTER_CHUNK_PIXELS, stepOverlays } from "./draw";
import { sharedBuffer } from "./images";
import { rasterizedDocuments, rasterizeGroups, releaseOverlay } from "./raster";
import { imageFromMessage, type ImageMessage, sharedEdits } from "./threadImages";
import type { FromDrawingThread } from "./drawingThreads";

export interface DrawCall {
  id: number;
  image: ImageMessage;
  /** Each drawn on `image` on its own, one after the other (a group's rollouts come as one call). */
  trajectories: PlannedAction[][][];
}
export type ToDrawingThread = DrawCall | { cancel: number };

const port = parentPort!;
const cancelled = new Set<number>();
/** Light calls arrived and not started yet, in arrival order. */
const arrived: DrawCall[] = [];
/** A batch is being rasterized: light calls arriving meanwhile join the next one rather than each paying for their own. */
let batching = false;
let reported = 0;

/** Calls whose marks draw.ts rasterizes in one go anyway (one chunk): those are rasterized together. */
const stepsOf = (call: DrawCall) => call.trajectories.flat();
const light = (call: DrawCall) => {
  const marked = markedPixels(stepsOf(call));
  return marked > 0 && marked <= RASTER_CHUNK_PIXELS;
};

port.on("message", (m: ToDrawingThread) => {
  if ("cancel" in m) return void cancelled.add(m.cancel);
  if (!light(m)) return void draw(m);
  arrived.push(m);
  // setImmediate, not a microtask: messages posted together are all delivered first.
  if (arrived.length === 1 && !batching) setImmediate(startArrived);
});

/**
 * Rasterizes the marks of the light calls that arrived together, up to RASTER_CHUNK_PIXELS in
 * all (one chunk's memory and time, as one call's), in one go; drawSteps then finds them rendered
 * and calls sharp no more. One batch at a time: calls reach a thread a few at a time (each gRPC
 * call is admitted on its own), and those arriving while a batch rasterizes make the next.
 */
function startArrived(): void {
  const batch: DrawCall[] = [];
  let pixels = 0;
  while (arrived.length > 0 && (batch.length === 0 || pixels + markedPixels(stepsOf(arrived[0])) <= RASTER_CHUNK_PIXELS)) {
    const call = arrived.shift()!;
    pixels += markedPixels(stepsOf(call));
    batch.push(call);
  }
  if (batch.length === 0) return;
  batching = true;
  const live = batch.filter((call) => !cancelled.has(call.id));
  void rasterizeGroups(live.map((call) => stepOverlays(stepsOf(call))))
    // On failure each call rasterizes its own marks again, and fails with its own error if any.
    .catch(() => undefined)
    .then(() => {
      batching = false;
      startArrived(); // libvips works on the next batch while this one is blended
      for (const call of batch) void draw(call);
    });
}

async function draw(m: DrawCall): Promise<void> {
  try {
    const image = imageFromMessage(m.image);
    for (const [trajectory, steps] of m.trajectories.entries()) {
      let step = 0;
      // Edits drawn straight into shared memory: sharedEdits then has nothing left to copy.
      for await (const edits of drawSteps(image, steps, sharedBuffer)) {
        if (cancelled.has(m.id)) break;
        port.postMessage({ id: m.id, trajectory, step: step++, edits: sharedEdits(edits) } satisfies FromDrawingThread);
      }
      if (cancelled.has(m.id)) break;
    }
    const rasterized = rasterizedDocuments() - reported;
    reported += rasterized;
    port.postMessage({ id: m.id, done: true, rasterized } satisfies FromDrawingThread);
  } catch (err) {
    port.postMessage({ id: m.id, error: (err as Error).stack ?? String(err) } satisfies FromDrawingThread);
  } finally {
    cancelled.delete(m.id);
    // A call stopped early leaves marks rasterized and not blended (a batch rendered them all).
    for (const o of stepOverlays(stepsOf(m))) releaseOverlay(o);
  }
}
