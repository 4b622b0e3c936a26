// A placeholder model whose labels carry no information about the step: for tests and for wiring a
// mesh without a trained model. Not the paper's random-PRM ablation: that is the trainer's
// random_prm mode (services/trainer/src/finepo/randomScores.ts), seeded per request — this model is
// seeded by the model's seed and the step id alone, and step ids ("0:1") repeat in every group.
import { Rng } from "@sketchvl/seeded-random";
import type { LabelProbabilities, PrmStep, ScoringBackend } from "./types";

export class RandomBackend implements ScoringBackend {
  constructor(private readonly seed: number) {}

  async score(steps: readonly PrmStep[]): Promise<LabelProbabilities[]> {
    return steps.map((step) => {
      const rng = new Rng(this.seed, step.id);
      const raw = [rng.next(), rng.next(), rng.next(), rng.next()];
      const total = raw[0] + raw[1] + raw[2] + raw[3];
      return raw.map((x) => x / total) as unknown as LabelProbabilities;
    });
  }

  async close(): Promise<void> {}
}
