// The "random PRM" ablation: step scores drawn uniformly from [1, 4) instead of FinePRM's.
// Seeded from a string (the request id) so a retried request gets the same numbers. Small and
// portable on purpose: FNV-1a over the seed's UTF-8 bytes, a murmur3 finaliser so similar seeds
// ("req-1", "req-2") start far apart, then mulberry32. Reimplementable in a few lines of Python.

/** 32-bit seed from a string: FNV-1a over UTF-8 bytes, then murmur3's fmix32. */
export function hashSeed(seed: string): number {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(seed, "utf8");
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: a 32-bit-state PRNG, plenty for a few thousand draws per request. */
export class SeededRandom {
  private state: number;

  constructor(seed: string | number) {
    this.state = (typeof seed === "number" ? seed : hashSeed(seed)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A FinePRM-scale score, uniform in [1, 4). */
  nextScore(): number {
    return 1 + 3 * this.next();
  }
}

/** `count` scores for `seed`: the same seed always gives the same numbers. */
export function randomScores(seed: string, count: number): Float64Array {
  const rng = new SeededRandom(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = rng.nextScore();
  return out;
}
