// The mesh's one seeded PRNG. ChartWorld derives every chart, question and noisy PRM variant from
// (seed, purpose) with it, and the trainer's random-PRM mode draws its step scores with it, seeded
// by the request id so a retried request gets the same numbers. No dependencies (not even Node's
// Buffer) and small on purpose: FNV-1a over the seed's UTF-8 bytes, murmur3's fmix32 so similar
// seeds ("req-1", "req-2") start far apart, then mulberry32 — a few lines in any language.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** murmur3's 32-bit finalizer: every input bit affects every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over the UTF-8 bytes of `s`, encoded inline so the ASCII path allocates nothing. */
function fnv1aUtf8(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, FNV_PRIME);
      continue;
    }
    // Non-ASCII: the code point's UTF-8 bytes (a lone surrogate encodes as U+FFFD, as TextEncoder does).
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const low = s.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      } else c = 0xfffd;
    } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    const bytes =
      c < 0x800
        ? [0xc0 | (c >> 6), 0x80 | (c & 63)]
        : c < 0x10000
          ? [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)]
          : [0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)];
    for (const b of bytes) h = Math.imul(h ^ b, FNV_PRIME);
  }
  return h;
}

/** 32-bit mix of an integer (both 32-bit halves) or a string (FNV-1a over UTF-8, then fmix32). */
export function hash32(value: number | string): number {
  const h = typeof value === "number" ? (value | 0) ^ Math.imul((value / 4294967296) | 0, 0x9e3779b1) : fnv1aUtf8(value);
  return fmix32(h);
}

/** mulberry32: tiny, fast, good enough for data synthesis and ablations (not for cryptography). */
export class Rng {
  private state: number;

  /** Seeded by `seed` alone, or by `${seed}:${purpose}` so one seed gives independent streams. */
  constructor(seed: number | string, purpose = "") {
    // A zero state is mulberry32's one weak seed; any fixed non-zero replacement will do.
    this.state = hash32(purpose === "" ? seed : `${seed}:${purpose}`) || 0x6d2b79f5;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  float(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  bool(pTrue = 0.5): boolean {
    return this.next() < pTrue;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[Math.floor(this.next() * items.length)];
  }

  /** A new shuffled array (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = out[i];
      out[i] = out[j];
      out[j] = tmp;
    }
    return out;
  }

  /** k distinct items in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    return this.shuffle(items).slice(0, k);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}
