// Images the renderer has seen or made, by content digest, so callers send a chart once and refer
// to it afterwards (24 rollouts over one chart must not ship it 24 times). Bounded by bytes;
// least recently used images go first. A digest that was evicted is NOT_FOUND: send the bytes again.
//
// Bytes are counted as memory held: every pixel buffer once, however many stored images share it
// (a trajectory's after-images share the prompt image and each other's regions: PatchedImage),
// plus a fixed overhead per image and per region, so a flood of tiny patches is bounded too. An
// image that gets materialized later (PNG output, drawing on it) tells the store at once.
import { NotFoundError } from "@sketchvl/errors";
import { copyPixels, type RasterImage } from "./images";
import { PatchedImage } from "./patches";

export interface StoreStats {
  images: number;
  bytes: number;
  evictions: number;
}

/** What an entry and a region cost beyond their pixels (maps, objects, digests). */
export const ENTRY_OVERHEAD = 512;
export const REGION_OVERHEAD = 128;

interface Entry {
  image: RasterImage;
  /** The pixel buffers this entry keeps alive, counted in `buffers`. */
  held: Uint8Array[];
  overhead: number;
}

/** The pixel buffers an image keeps alive. */
function buffersOf(image: RasterImage): Uint8Array[] {
  if (!(image instanceof PatchedImage)) return [image.pixels];
  const held: Uint8Array[] = [image.root.pixels, ...image.regions.map((r) => r.pixels)];
  if (image.isMaterialized) held.push(image.pixels);
  return held;
}

export class ImageStore {
  private readonly entries = new Map<string, Entry>();
  /** Every buffer held by a stored image, with how many entries hold it. */
  private readonly buffers = new Map<Uint8Array, number>();
  private bytes = 0;
  private evictions = 0;

  constructor(
    private readonly maxBytes: number,
    /**
     * Keep plain images' pixels in SharedArrayBuffers (moved there once, when stored), so worker
     * threads can read them without a copy (the PRM's model instances).
     */
    private readonly options: { sharedMemory?: boolean } = {},
  ) {}

  /** Stores `image` under `digest` and returns the image stored there (an earlier one with that digest if any). */
  put(digest: string, image: RasterImage): RasterImage {
    const existing = this.entries.get(digest);
    if (existing) {
      this.touch(digest, existing);
      return existing.image;
    }
    if (this.options.sharedMemory && !(image instanceof PatchedImage) && !(image.pixels.buffer instanceof SharedArrayBuffer)) {
      image.pixels = copyPixels(image.pixels); // the caller's image too: it was just decoded for this store
    }
    const held = buffersOf(image);
    const overhead = ENTRY_OVERHEAD + (image instanceof PatchedImage ? REGION_OVERHEAD * image.regions.length : 0);
    const adds = overhead + held.reduce((n, b) => n + (this.buffers.has(b) ? 0 : b.length), 0);
    if (adds > this.maxBytes) return image; // never worth evicting everything for one image
    const entry: Entry = { image, held, overhead };
    this.entries.set(digest, entry);
    this.bytes += overhead;
    for (const b of held) this.retain(b);
    if (image instanceof PatchedImage) image.whenMaterialized(() => this.materialized(digest, entry));
    this.evict(digest);
    return image;
  }

  /** The image, or NotFoundError naming `field`. */
  get(digest: string, field: string): RasterImage {
    const entry = this.entries.get(digest);
    if (!entry) {
      throw new NotFoundError(field, `no image ${digest} is stored here (never sent, or evicted): send the bytes again`, "IMAGE_NOT_FOUND");
    }
    this.touch(digest, entry);
    return entry.image;
  }

  stats(): StoreStats {
    return { images: this.entries.size, bytes: this.bytes, evictions: this.evictions };
  }

  /** Most recently used now. */
  private touch(digest: string, entry: Entry): void {
    this.entries.delete(digest);
    this.entries.set(digest, entry);
  }

  /** A stored PatchedImage was materialized: its full pixels are held from now on. */
  private materialized(digest: string, entry: Entry): void {
    if (this.entries.get(digest) !== entry) return; // evicted meanwhile
    const pixels = entry.image.pixels;
    entry.held.push(pixels);
    this.retain(pixels);
    this.evict(digest);
  }

  /** Least recently used first, until within bounds; `keep` (the image being added) last of all. */
  private evict(keep: string): void {
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) return;
      if (oldest === keep) continue;
      this.remove(oldest, entry);
    }
    const kept = this.entries.get(keep);
    if (this.bytes > this.maxBytes && kept) this.remove(keep, kept);
  }

  private remove(digest: string, entry: Entry): void {
    this.entries.delete(digest);
    this.bytes -= entry.overhead;
    for (const b of entry.held) this.release(b);
    this.evictions++;
  }

  private retain(buffer: Uint8Array): void {
    const n = this.buffers.get(buffer) ?? 0;
    if (n === 0) this.bytes += buffer.length;
    this.buffers.set(buffer, n + 1);
  }

  private release(buffer: Uint8Array): void {
    const n = this.buffers.get(buffer)!;
    if (n > 1) return void this.buffers.set(buffer, n - 1);
    this.buffers.delete(buffer);
    this.bytes -= buffer.length;
  }
}

/** Where resolveImage finds and keeps images: an ImageStore, or a view of one (pinnedImages). */
export type ImageLookup = Pick<ImageStore, "get" | "put">;

/**
 * `store` with the images of one request pinned: an image of the request finds an earlier one
 * (a patch its base) even if the store evicted it meanwhile under other requests' load.
 */
export function pinnedImages(store: ImageStore): ImageLookup {
  const pinned = new Map<string, RasterImage>();
  return {
    get: (digest, field) => pinned.get(digest) ?? store.get(digest, field),
    put: (digest, image) => {
      const stored = store.put(digest, image);
      pinned.set(digest, stored);
      return stored;
    },
  };
}
