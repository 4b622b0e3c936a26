// The paper's "random PRM" ablation: labels carry no information about the step. Seeded by the
// model's seed and the step id, so a retried request gets the same scores.
import { Rng } from "@sketchvl/chartworld";
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
