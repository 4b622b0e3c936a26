// What every scoring backend implements: a batch of steps in, four label probabilities per step
// out (excellent, acceptable, poor, unacceptable). Backends know nothing of gRPC or batching.
import type { DrawingAction, ReferenceTarget } from "@sketchvl/contract";
import type { RasterImage } from "@sketchvl/drawing";

export interface PrmStep {
  id: string;
  intent: string;
  action: DrawingAction;
  before: RasterImage;
  after: RasterImage;
  reference: ReferenceTarget | undefined;
}

/** P(excellent), P(acceptable), P(poor), P(unacceptable). */
export type LabelProbabilities = readonly [number, number, number, number];

export interface ScoringBackend {
  /** One result per step, in order. A step that cannot be scored rejects the whole batch. */
  score(steps: readonly PrmStep[]): Promise<LabelProbabilities[]>;
  close(): Promise<void>;
}

/** All probability on one label (index into LabelProbabilities: excellent, acceptable, poor, unacceptable). */
export function oneHot(index: number): LabelProbabilities {
  const p: [number, number, number, number] = [0, 0, 0, 0];
  p[index] = 1;
  return p;
}
