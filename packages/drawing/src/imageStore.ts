// Images the renderer has seen or made, by content digest, so callers send a chart once and refer
// to it afterwards (24 rollouts over one chart must not ship it 24 times). Bounded by bytes;
// least recently used images go first. A digest that was evicted is NOT_FOUND: send the bytes again.
//
// Bytes are counted as held: a PatchedImage counts its regions, plus its root once for all the
// images sharing it (a trajectory's after-images share the prompt image), plus its full pixels
// once they have been read (the image tells the store when that happens).
import { NotFoundError } from "@sketchvl/runtime/errors";
import type { RasterImage } from "./images";
import { PatchedImage } from "./patches";

export interface StoreStats {
  images: number;
  bytes: number;
  evictions: number;
}

interface Entry {
  image: RasterImage;
  bytes: number;
}

const ownBytes = (image: RasterImage): number =>
  image instanceof PatchedImage ? image.regionBytes + (image.isMaterialized ? image.pixels.length : 0) : image.pixels.length;

export class ImageStore {
  private readonly entries = new Map<string, Entry>();
  /** Roots of stored PatchedImages, with how many stored images share each. */
  private readonly roots = new Map<RasterImage, number>();
  private bytes = 0;
  private evictions = 0;

  constructor(private readonly maxBytes: number) {}

  put(digest: string, image: RasterImage): void {
    const existing = this.entries.get(digest);
    if (existing) {
      this.touch(digest, existing);
      return;
    }
    const bytes = ownBytes(image);
    const rootBytes = image instanceof PatchedImage && !this.roots.has(image.root) ? image.root.pixels.length : 0;
    if (bytes + rootBytes > this.maxBytes) return; // never worth evicting everything for one image
    const entry = { image, bytes };
    this.entries.set(digest, entry);
    this.bytes += bytes;
    if (image instanceof PatchedImage) {
      this.retainRoot(image.root);
      image.whenMaterialized(() => this.recount(digest, entry));
    }
    this.evict();
  }

  /** The image, or NotFoundError naming `field`. */
  get(digest: string, field: string): RasterImage {
    const entry = this.entries.get(digest);
    if (!entry) {
      throw new NotFoundError(field, `no image ${digest} is stored here (never sent, or evicted): send the bytes again`);
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

  /** A stored PatchedImage was materialized: count its full pixels from now on. */
  private recount(digest: string, entry: Entry): void {
    if (this.entries.get(digest) !== entry) return; // evicted meanwhile
    const bytes = ownBytes(entry.image);
    this.bytes += bytes - entry.bytes;
    entry.bytes = bytes;
    this.evict(digest);
  }

  private evict(keep?: string): void {
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      if (oldest === keep) continue;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
      if (entry.image instanceof PatchedImage) this.releaseRoot(entry.image.root);
      this.evictions++;
    }
  }

  private retainRoot(root: RasterImage): void {
    const n = this.roots.get(root) ?? 0;
    if (n === 0) this.bytes += root.pixels.length;
    this.roots.set(root, n + 1);
  }

  private releaseRoot(root: RasterImage): void {
    const n = this.roots.get(root)!;
    if (n > 1) return void this.roots.set(root, n - 1);
    this.roots.delete(root);
    this.bytes -= root.pixels.length;
  }
}
