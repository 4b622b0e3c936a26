// Fixed splits by a hash of the chart seed: a seed belongs to exactly one split forever, so the
// three never overlap whatever counts or offsets callers ask for.
import type { Split } from "./chartTypes";
import { hash32 } from "@sketchvl/seeded-random";

export const SPLITS: readonly Split[] = ["train", "validation", "test"];

/** 80% train, 10% validation, 10% test. */
export function splitOfSeed(seed: number): Split {
  const bucket = hash32(`chartworld-split:${seed}`) % 100;
  return bucket < 80 ? "train" : bucket < 90 ? "validation" : "test";
}

/** The seeds of `split` in increasing order, skipping the first `offset` of them. */
export function* seedsOfSplit(split: Split, offset = 0): Generator<number> {
  let skipped = 0;
  for (let seed = 0; seed < 0x7fffffff; seed++) {
    if (splitOfSeed(seed) !== split) continue;
    if (skipped++ < offset) continue;
    yield seed;
  }
}
