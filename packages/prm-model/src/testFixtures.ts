// Small shared fixtures for the tests: a few real ChartWorld steps with their images (memoized per
// process).
import type { PrmSample, Split } from "@sketchvl/chartworld";
import type { PrmStepInput } from "./features";
import { drawnSteps } from "./stepImages";

const cache = new Map<string, Promise<{ samples: PrmSample[]; steps: PrmStepInput[] }>>();

/** `count` PRM samples of `split` with their drawn before / after images. */
export function realSteps(split: Split, count: number): Promise<{ samples: PrmSample[]; steps: PrmStepInput[] }> {
  const key = `${split}:${count}`;
  let p = cache.get(key);
  if (!p) {
    p = drawnSteps(split, count);
    cache.set(key, p);
  }
  return p;
}
