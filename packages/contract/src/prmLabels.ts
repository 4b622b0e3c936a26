// FinePRM's label scale, the one definition every package reads (hand-written beside the generated
// code: proto/ defines the PrmLabel enum, but not the names, words and scores the mesh gives it).
// Order is best first, and that order is load-bearing: it is the order of the four probabilities in
// every StepScore and of the ONNX model's "probabilities" output (packages/prm-model).
import { PrmLabel } from "./gen/sketchvl/v1/prm";

export type PrmLabelName = "excellent" | "acceptable" | "poor" | "unacceptable";

export interface PrmLabelLevel {
  readonly label: PrmLabel;
  /** Lower-case name: ChartWorld's datasets, model config.json, reports. */
  readonly name: PrmLabelName;
  /** The word a generative judge answers with. */
  readonly word: string;
  /** FinePRM's scalar: 4 best … 1 worst. */
  readonly score: number;
}

/** The scale, best first; index i is probability i of a StepScore. */
export const PRM_LABEL_SCALE: readonly PrmLabelLevel[] = Object.freeze(
  [
    { label: PrmLabel.PRM_LABEL_EXCELLENT, name: "excellent", word: "Excellent", score: 4 },
    { label: PrmLabel.PRM_LABEL_ACCEPTABLE, name: "acceptable", word: "Acceptable", score: 3 },
    { label: PrmLabel.PRM_LABEL_POOR, name: "poor", word: "Poor", score: 2 },
    { label: PrmLabel.PRM_LABEL_UNACCEPTABLE, name: "unacceptable", word: "Unacceptable", score: 1 },
  ].map((level) => Object.freeze(level as PrmLabelLevel)),
);

/** Label names in scale order (best first). */
export const PRM_LABEL_NAMES: readonly PrmLabelName[] = Object.freeze(PRM_LABEL_SCALE.map((l) => l.name));
/** Label scores in scale order: [4, 3, 2, 1]. */
export const PRM_LABEL_SCORES: readonly number[] = Object.freeze(PRM_LABEL_SCALE.map((l) => l.score));
/** The best label's score: what normalises a process score to 0..1. */
export const PRM_MAX_SCORE = Math.max(...PRM_LABEL_SCORES);
/** The worst label's score. */
export const PRM_MIN_SCORE = Math.min(...PRM_LABEL_SCORES);
/** How many labels (and probabilities per step). */
export const PRM_LABEL_COUNT = PRM_LABEL_SCALE.length;

const byName = new Map(PRM_LABEL_SCALE.map((l, i) => [l.name, i] as const));
const byLabel = new Map(PRM_LABEL_SCALE.map((l, i) => [l.label, i] as const));

/** Scale index (0 = best) of a label name, an enum value, or -1 for neither (UNSPECIFIED included). */
export function prmLabelIndex(label: PrmLabelName | PrmLabel): number {
  return (typeof label === "string" ? byName.get(label) : byLabel.get(label)) ?? -1;
}

/** The level of a name or enum value; throws for one not on the scale (UNSPECIFIED, UNRECOGNIZED). */
export function prmLabelLevel(label: PrmLabelName | PrmLabel): PrmLabelLevel {
  const i = prmLabelIndex(label);
  if (i < 0) throw new RangeError(`not a FinePRM label: ${String(label)}`);
  return PRM_LABEL_SCALE[i];
}

/** Excellent or Acceptable: a step that does its job (RewardMap's good-step fraction counts these). */
export function isAcceptableOrBetter(label: PrmLabelName | PrmLabel): boolean {
  const i = prmLabelIndex(label);
  return i >= 0 && PRM_LABEL_SCALE[i].score >= prmLabelLevel("acceptable").score;
}

/** Σ score_i · p_i over probabilities in scale order (FinePRM's expected score). */
export function expectedPrmScore(probabilities: ArrayLike<number>): number {
  if (probabilities.length !== PRM_LABEL_COUNT) throw new RangeError(`expected ${PRM_LABEL_COUNT} label probabilities, got ${probabilities.length}`);
  let sum = 0;
  for (let i = 0; i < PRM_LABEL_COUNT; i++) sum += PRM_LABEL_SCALE[i].score * probabilities[i];
  return sum;
}

/** Scale index of the most probable label; a tie goes to the better label. */
export function mostProbableLabelIndex(probabilities: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < PRM_LABEL_COUNT; i++) if (probabilities[i] > probabilities[best]) best = i;
  return best;
}
