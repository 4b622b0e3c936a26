// Steps on their way to an ONNX worker thread (onnxWorker.ts) without copying whole images: a root
// image's pixels go once into a SharedArrayBuffer (kept per image, so a group's chart is copied
// once for all its steps), each drawn image travels as "root + its regions" (a few KiB), and one
// batch sends every root and region once. The worker rebuilds images so that the identities the
// encoder relies on hold (step j's after-image is step j+1's before; regions shared, not cloned),
// and a root keeps its identity across batches (the encoder caches per root image what every step
// on that chart reads again).
import type { DrawingAction } from "@sketchvl/contract";
import { PatchedImage, type PlacedRegion, type RasterImage } from "@sketchvl/drawing";
import type { PrmStepInput } from "@sketchvl/prm-model";

interface RootMessage {
  /** Stable for as long as the image lives on the main thread: the worker reuses its copy. */
  id: number;
  width: number;
  height: number;
  channels: 3 | 4;
  /** A view of a SharedArrayBuffer. */
  pixels: Uint8Array;
}

/** An image: a root, and indices of the regions written over it in order. */
interface ImageMessage {
  root: number;
  regions: number[];
}

export interface StepsMessage {
  roots: RootMessage[];
  regions: PlacedRegion[];
  steps: Array<{ intent: string; action: DrawingAction; before: ImageMessage; after: ImageMessage }>;
}

/**
 * Pixels copied into shared memory, for images not already there (the service's ImageStore keeps
 * stored images in shared memory, so this copy is for images from elsewhere); dropped with the image.
 */
const shared = new WeakMap<RasterImage, Uint8Array>();

function sharedPixels(image: RasterImage): Uint8Array {
  const pixels = image.pixels;
  if (pixels.buffer instanceof SharedArrayBuffer) return pixels;
  let copy = shared.get(image);
  if (!copy) {
    copy = new Uint8Array(new SharedArrayBuffer(pixels.length));
    copy.set(pixels);
    shared.set(image, copy);
  }
  return copy;
}

const rootIds = new WeakMap<RasterImage, number>();
let nextRootId = 0;

function rootId(image: RasterImage): number {
  let id = rootIds.get(image);
  if (id === undefined) {
    id = nextRootId++;
    rootIds.set(image, id);
  }
  return id;
}

/** The message for a batch of steps (main thread). */
export function packSteps(steps: readonly PrmStepInput[]): StepsMessage {
  const roots: RootMessage[] = [];
  const regions: PlacedRegion[] = [];
  const rootIndex = new Map<RasterImage, number>();
  const regionIndex = new Map<PlacedRegion, number>();
  const pack = (image: RasterImage): ImageMessage => {
    const [root, layers] = image instanceof PatchedImage ? [image.root, image.regions] : [image, []];
    let r = rootIndex.get(root);
    if (r === undefined) {
      r = roots.push({ id: rootId(root), width: root.width, height: root.height, channels: root.channels, pixels: sharedPixels(root) }) - 1;
      rootIndex.set(root, r);
    }
    return {
      root: r,
      regions: layers.map((layer) => {
        let i = regionIndex.get(layer);
        if (i === undefined) {
          i = regions.push(layer) - 1;
          regionIndex.set(layer, i);
        }
        return i;
      }),
    };
  };
  return { roots, regions, steps: steps.map((s) => ({ intent: s.intent, action: s.action, before: pack(s.before), after: pack(s.after) })) };
}

const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length));

// Roots seen by this worker, most recent last, bounded by their pixels' bytes (they are views of
// shared memory: holding one keeps the main thread's image alive).
const KNOWN_ROOT_BYTES = 64 << 20;
const knownRoots = new Map<number, RasterImage>();
let knownBytes = 0;

function knownRoot(r: RootMessage): RasterImage {
  let image = knownRoots.get(r.id);
  if (image) {
    knownRoots.delete(r.id);
  } else {
    image = { width: r.width, height: r.height, channels: r.channels, pixels: asBuffer(r.pixels) };
    knownBytes += image.pixels.length;
  }
  knownRoots.set(r.id, image);
  for (const [id, old] of knownRoots) {
    if (knownBytes <= KNOWN_ROOT_BYTES || id === r.id) break;
    knownRoots.delete(id);
    knownBytes -= old.pixels.length;
  }
  return image;
}

/** The steps of a message, images rebuilt (worker thread). */
export function unpackSteps(message: StepsMessage): PrmStepInput[] {
  const roots = message.roots.map(knownRoot);
  const regions: PlacedRegion[] = message.regions.map((r) => ({ left: r.left, top: r.top, width: r.width, height: r.height, pixels: asBuffer(r.pixels) }));
  const images = new Map<string, RasterImage>();
  const unpack = ({ root, regions: layers }: ImageMessage): RasterImage => {
    if (layers.length === 0) return roots[root];
    const key = `${root}:${layers.join(",")}`;
    let image = images.get(key);
    if (!image) {
      image = new PatchedImage(
        roots[root],
        layers.map((i) => regions[i]),
      );
      images.set(key, image);
    }
    return image;
  };
  return message.steps.map((s) => ({ intent: s.intent, action: s.action, before: unpack(s.before), after: unpack(s.after) }));
}
