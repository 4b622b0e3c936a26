// Small shared fixtures for the tests: a few real ChartWorld steps with their images (memoized per
// process), and a tiny architecture that trains and exports in milliseconds.
import type { PrmSample, Split } from "@sketchvl/chartworld";
import { INPUTS, type PrmStepInput } from "./features";
import type { Architecture } from "./network";
import { drawnSteps } from "./step-images";

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

/** The real input shapes with narrow towers and a small head. */
export function smallArchitecture(): Architecture {
  return {
    towers: [
      { input: INPUTS[0].name, inChannels: INPUTS[0].shape[0], size: INPUTS[0].shape[1], channels: [4, 4, 8] },
      { input: INPUTS[1].name, inChannels: INPUTS[1].shape[0], size: INPUTS[1].shape[1], channels: [4, 8] },
      { input: INPUTS[2].name, inChannels: INPUTS[2].shape[0], size: INPUTS[2].shape[1], channels: [4] },
    ],
    meta: INPUTS[3].shape[0],
    hidden: [8],
    classes: 4,
  };
}
