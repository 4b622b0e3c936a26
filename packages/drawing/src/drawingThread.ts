// One drawing thread (started by drawingThreads.ts): rasterizing marks waits on libvips, but
// blending them and copying regions is JavaScript, seconds of it for hundreds of large marks, which
// on a service's event loop would hold up every other call, health checks and rejections included.
// Several calls run here at once (they interleave while libvips works).
import { parentPort } from "node:worker_threads";
import { drawSteps, type PlannedAction } from "./draw";
import { sharedBuffer } from "./images";
import { imageFromMessage, type ImageMessage, sharedEdits } from "./threadImages";
import type { FromDrawingThread } from "./drawingThreads";

export type ToDrawingThread = { id: number; image: ImageMessage; steps: PlannedAction[][] } | { cancel: number };

const port = parentPort!;
const cancelled = new Set<number>();

port.on("message", async (m: ToDrawingThread) => {
  if ("cancel" in m) return void cancelled.add(m.cancel);
  try {
    let step = 0;
    // Edits drawn straight into shared memory: sharedEdits then has nothing left to copy.
    for await (const edits of drawSteps(imageFromMessage(m.image), m.steps, sharedBuffer)) {
      if (cancelled.has(m.id)) break;
      port.postMessage({ id: m.id, step: step++, edits: sharedEdits(edits) } satisfies FromDrawingThread);
    }
    port.postMessage({ id: m.id, done: true } satisfies FromDrawingThread);
  } catch (err) {
    port.postMessage({ id: m.id, error: (err as Error).stack ?? String(err) } satisfies FromDrawingThread);
  } finally {
    cancelled.delete(m.id);
  }
});
