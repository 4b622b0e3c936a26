// Eqs. 5–8: redistribute one response's coarse advantage over its scored steps.
//   p̄ = Σ L_j p'_j / Σ L_j,  Δ_j = p'_j − p̄                                   (Eq. 5)
//   A'(s_j) = A + α·κ·Δ_j,   κ = |A| / (max_j max(0, Δ_j) + ε), κ = 0 if no Δ_j > 0   (Eqs. 6–7)
//   A > 0: A(s_j) = clip(A', 0, βA);  A ≤ 0: A(s_j) = clip(A', βA, 0)          (Eq. 8)
// Excluded steps (Text actions: FinePRM does not score them) take no part in p̄ or κ and keep A.
// A response without scored steps is therefore exactly GRPO.
import { InvalidArgumentError } from "@sketchvl/errors";

export interface RedistributeOptions {
  readonly alpha: number;
  readonly beta: number;
  readonly epsilon: number;
}

export interface RedistributeStepInput {
  /** p_j. */
  readonly score: number;
  /** O_clipped(a_j) of Eq. 3 (0 when KL is off). */
  readonly klOffset: number;
  /** L_j > 0. */
  readonly tokenLength: number;
  readonly excluded: boolean;
}

export interface RedistributedStep {
  /** p'_j = p_j + O_clipped(a_j). */
  adjustedScore: number;
  /** Δ_j = p'_j − p̄ (0 for excluded steps). */
  deviation: number;
  /** A'(s_j) of Eq. 6 (A for excluded steps). */
  unclippedAdvantage: number;
  /** A(s_j) of Eq. 8 (A for excluded steps). */
  advantage: number;
}

export interface Redistribution {
  /** κ of Eq. 7; 0 when no step is above the mean (or there are no scored steps). */
  kappa: number;
  /** p̄ of Eq. 5; 0 when there are no scored steps. */
  meanAdjustedScore: number;
}

/** A step record that redistributeInPlace reads inputs from and writes results into. */
export type StepWork = RedistributeStepInput & RedistributedStep;

/** Eq. 8. A = 0 gives 0 whatever A' is; β ≥ 1 keeps A itself inside the bounds. */
export function signPreservingClip(unclipped: number, coarse: number, beta: number): number {
  if (coarse > 0) {
    const hi = beta * coarse;
    return unclipped < 0 ? 0 : Math.min(unclipped, hi);
  }
  if (coarse < 0) {
    const lo = beta * coarse;
    return unclipped > 0 ? 0 : Math.max(unclipped, lo);
  }
  return 0;
}

/**
 * Eqs. 5–8 for one response. Validates its inputs (field paths "steps[j].score", ...); the
 * group-level code validates with request paths and calls redistributeInPlace directly.
 */
export function redistributeAdvantage(
  coarse: number,
  steps: readonly RedistributeStepInput[],
  options: RedistributeOptions,
): Redistribution & { steps: RedistributedStep[] } {
  if (!Number.isFinite(coarse)) throw new InvalidArgumentError("coarse", `must be finite, got ${coarse}`);
  const work: StepWork[] = new Array(steps.length);
  for (let j = 0; j < steps.length; j++) {
    const s = steps[j];
    if (!Number.isFinite(s.score)) throw new InvalidArgumentError(`steps[${j}].score`, `must be finite, got ${s.score}`);
    if (!Number.isFinite(s.klOffset)) {
      throw new InvalidArgumentError(`steps[${j}].kl_offset`, `must be finite, got ${s.klOffset}`);
    }
    if (!(Number.isFinite(s.tokenLength) && s.tokenLength > 0)) {
      throw new InvalidArgumentError(`steps[${j}].token_length`, `must be finite and > 0, got ${s.tokenLength}`);
    }
    work[j] = {
      score: s.score,
      klOffset: s.klOffset,
      tokenLength: s.tokenLength,
      excluded: s.excluded,
      adjustedScore: 0,
      deviation: 0,
      unclippedAdvantage: 0,
      advantage: 0,
    };
  }
  const result: Redistribution = { kappa: 0, meanAdjustedScore: 0 };
  redistributeInPlace(coarse, work, options, result);
  const out: RedistributedStep[] = work.map((w) => ({
    adjustedScore: w.adjustedScore,
    deviation: w.deviation,
    unclippedAdvantage: w.unclippedAdvantage,
    advantage: w.advantage,
  }));
  return { kappa: result.kappa, meanAdjustedScore: result.meanAdjustedScore, steps: out };
}

/**
 * The hot path: no allocation. Inputs must be valid (finite, L > 0). Writes each step's results
 * and κ / p̄ into `out`.
 */
export function redistributeInPlace(coarse: number, steps: ArrayLike<StepWork>, options: RedistributeOptions, out: Redistribution): void {
  const n = steps.length;
  // Pass 1: p'_j, its range, and the length-weighted sum of differences to the first scored p'.
  let first = NaN;
  let min = Infinity;
  let max = -Infinity;
  let weight = 0;
  let weightedShift = 0;
  for (let j = 0; j < n; j++) {
    const s = steps[j];
    const p = s.score + s.klOffset;
    s.adjustedScore = p;
    if (s.excluded) continue;
    if (weight === 0) first = p;
    if (p < min) min = p;
    if (p > max) max = p;
    weight += s.tokenLength;
    weightedShift += s.tokenLength * (p - first);
  }
  if (weight === 0) {
    // No scored steps: GRPO for this response.
    out.kappa = 0;
    out.meanAdjustedScore = 0;
    for (let j = 0; j < n; j++) {
      const s = steps[j];
      s.deviation = 0;
      s.unclippedAdvantage = coarse;
      s.advantage = coarse;
    }
    return;
  }
  // Shifted mean: equal p' give p̄ exactly (so Δ = 0 and the result is exactly GRPO); the clamp
  // keeps rounding from putting p̄ outside the range it averages.
  let mean = min === max ? min : first + weightedShift / weight;
  if (mean < min) mean = min;
  else if (mean > max) mean = max;
  const kappa = max > mean ? Math.abs(coarse) / (max - mean + options.epsilon) : 0;
  const scale = options.alpha * kappa;
  for (let j = 0; j < n; j++) {
    const s = steps[j];
    if (s.excluded) {
      s.deviation = 0;
      s.unclippedAdvantage = coarse;
      s.advantage = coarse;
      continue;
    }
    const deviation = s.adjustedScore - mean;
    const unclipped = coarse + scale * deviation;
    s.deviation = deviation;
    s.unclippedAdvantage = unclipped;
    s.advantage = signPreservingClip(unclipped, coarse, options.beta);
  }
  out.kappa = kappa;
  out.meanAdjustedScore = mean;
}
