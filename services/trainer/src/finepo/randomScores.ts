// The "random PRM" ablation, the mesh's one implementation of it: step scores drawn uniformly from
// FinePRM's range [1, 4) instead of FinePRM's. Drawn here, where FinePO consumes p_j, seeded by the
// request id (unique per group, the same on a retry) with the mesh's one PRNG (@sketchvl/seeded-random).
import { PRM_MAX_SCORE, PRM_MIN_SCORE } from "@sketchvl/contract";
import { Rng } from "@sketchvl/seeded-random";

/** A FinePRM-range score, uniform in [min, max) of the label scale. */
export function randomScore(rng: Rng): number {
  return PRM_MIN_SCORE + (PRM_MAX_SCORE - PRM_MIN_SCORE) * rng.next();
}

/** `count` scores for `seed`: the same seed always gives the same numbers. */
export function randomScores(seed: string, count: number): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = randomScore(rng);
  return out;
}
