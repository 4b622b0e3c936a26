// Eq. 1, the coarse (outcome) advantage of each response in a group:
//   A(y_i) = R(y_i) − (1/k) Σ_j R(y_j)
// The paper subtracts the group mean and does NOT divide by the std. `normalizeStd` adds the usual
// GRPO division (TRL / verl style: sample std, (R − mean) / (std + ε)) for comparison runs only.
import { InvalidArgumentError } from "@sketchvl/errors";

export interface CoarseAdvantageOptions {
  readonly normalizeStd: boolean;
  readonly epsilon: number;
}

/**
 * One advantage per reward. A group of one has no baseline but itself, so its advantage is 0; a
 * group whose rewards are all equal gets exactly 0 everywhere (not ±1e-17 from rounding, which the
 * sign-preserving clip of Eq. 8 would otherwise turn into a sign).
 */
export function coarseAdvantages(rewards: ArrayLike<number>, options: CoarseAdvantageOptions): Float64Array {
  const k = rewards.length;
  if (k === 0) throw new InvalidArgumentError("rewards", "the group is empty");
  const out = new Float64Array(k);
  const r0 = rewards[0];
  let min = r0;
  let max = r0;
  let shiftedSum = 0;
  for (let i = 0; i < k; i++) {
    const r = rewards[i];
    if (!Number.isFinite(r)) throw new InvalidArgumentError(`rewards[${i}]`, `must be finite, got ${r}`);
    if (r < min) min = r;
    if (r > max) max = r;
    // Summing differences to the first reward keeps equal rewards exact and loses less precision
    // when rewards share a large offset.
    shiftedSum += r - r0;
  }
  if (k === 1 || min === max) return out;
  let mean = r0 + shiftedSum / k;
  if (mean < min) mean = min;
  else if (mean > max) mean = max;
  let squares = 0;
  for (let i = 0; i < k; i++) {
    const a = rewards[i] - mean;
    out[i] = a;
    squares += a * a;
  }
  if (options.normalizeStd) {
    const scale = 1 / (Math.sqrt(squares / (k - 1)) + options.epsilon);
    for (let i = 0; i < k; i++) out[i] *= scale;
  }
  return out;
}
