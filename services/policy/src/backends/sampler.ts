// Choosing the next token from the model's temperature-1 log-probs: greedy (temperature 0), or
// temperature-scaled and nucleus (top-p) sampling with a seeded generator per row, so a group with
// the same seed, model version and prompt samples the same tokens. Some tokens are never sampled
// (the padding, <bos> and the <image> marker the loop inserts itself).

/** xoshiro128**: small, fast, and good enough for sampling; seeded through splitmix32. */
export class Rng {
  private readonly s = new Uint32Array(4);

  constructor(seed: number, stream: number) {
    let x = (Math.floor(seed / 2 ** 32) ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
    let y = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = (x ^ y) >>> 0;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
      y = Math.imul(y ^ this.s[i], 0x27d4eb2f) >>> 0;
    }
    if (this.s.every((v) => v === 0)) this.s[0] = 1;
  }

  /** Uniform in [0, 1). */
  next(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result / 2 ** 32;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export interface SamplingRule {
  /** 0 = greedy. */
  temperature: number;
  topP: number;
  /** Token ids never sampled. */
  banned: readonly number[];
}

/**
 * Weights below e^-20 of the most likely token's (2e-9) are taken as 0: not worth an exp each. All
 * of a 1,400-token vocabulary's together are < 3e-6 of the mass, below float32 log-prob precision.
 */
const NEGLIGIBLE = -20;

/** The next token from one row's log-probs (temperature 1, as the model gives them). */
export function sampleToken(logprobs: Float32Array, rule: SamplingRule, rng: Rng, scratch: Float64Array = new Float64Array(logprobs.length)): number {
  const n = logprobs.length;
  const banned = bannedMask(rule.banned, n);
  let best = -1;
  for (let i = 0; i < n; i++) if (!banned[i] && (best < 0 || logprobs[i] > logprobs[best])) best = i;
  if (rule.temperature === 0) return best;
  const max = logprobs[best];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const z = (logprobs[i] - max) / rule.temperature;
    const w = banned[i] || z < NEGLIGIBLE ? 0 : Math.exp(z);
    scratch[i] = w;
    total += w;
  }
  if (rule.topP < 1) total = nucleus(scratch, total, rule.topP, n);
  let u = rng.next() * total;
  let last = best;
  for (let i = 0; i < n; i++) {
    if (scratch[i] === 0) continue;
    last = i;
    u -= scratch[i];
    if (u < 0) return i;
  }
  return last; // rounding left a sliver: the last candidate
}

const masks = new WeakMap<readonly number[], Uint8Array>();

/** 1 for each banned id, made once per list. */
function bannedMask(banned: readonly number[], n: number): Uint8Array {
  let mask = masks.get(banned);
  if (!mask || mask.length !== n) {
    mask = new Uint8Array(n);
    for (const id of banned) if (id < n) mask[id] = 1;
    masks.set(banned, mask);
  }
  return mask;
}

/** Zeroes every weight outside the smallest set of most likely tokens holding `topP` of the mass; returns the kept mass. */
function nucleus(weights: Float64Array, total: number, topP: number, n: number): number {
  const order = Array.from({ length: n }, (_, i) => i).filter((i) => weights[i] > 0);
  order.sort((a, b) => weights[b] - weights[a]);
  let kept = 0;
  let cut = order.length;
  for (let k = 0; k < order.length; k++) {
    kept += weights[order[k]];
    if (kept >= topP * total) {
      cut = k + 1;
      break;
    }
  }
  for (let k = cut; k < order.length; k++) weights[order[k]] = 0;
  return kept;
}
