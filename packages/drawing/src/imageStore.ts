// Images the renderer has seen or made, by content digest, so callers send a chart once and refer
// to it afterwards (24 rollouts over one chart must not ship it 24 times). Bounded by bytes;
// least recently used images go first. A digest that was evicted is NOT_FOUND: send the bytes again.
import { NotFoundError } from "@sketchvl/runtime/errors";
import type { RasterImage } from "./images";

export interface StoreStats {
  images: number;
  bytes: number;
  evictions: number;
}

export class ImageStore {
  private readonly images = new Map<string, RasterImage>();
  private bytes = 0;
  private evictions = 0;

  constructor(private readonly maxBytes: number) {}

  put(digest: string, image: RasterImage): void {
    const size = image.pixels.length;
    if (size > this.maxBytes) return; // never worth evicting everything for one image
    const existing = this.images.get(digest);
    if (existing) {
      this.images.delete(digest); // re-insert as most recent
      this.images.set(digest, existing);
      return;
    }
    this.images.set(digest, image);
    this.bytes += size;
    for (const [oldest, old] of this.images) {
      if (this.bytes <= this.maxBytes) break;
      this.images.delete(oldest);
      this.bytes -= old.pixels.length;
      this.evictions++;
    }
  }

  /** The image, or NotFoundError naming `field`. */
  get(digest: string, field: string): RasterImage {
    const image = this.images.get(digest);
    if (!image) {
      throw new NotFoundError(field, `no image ${digest} is stored here (never sent, or evicted): send the bytes again`);
    }
    this.images.delete(digest);
    this.images.set(digest, image);
    return image;
  }

  stats(): StoreStats {
    return { images: this.images.size, bytes: this.bytes, evictions: this.evictions };
  }
}
