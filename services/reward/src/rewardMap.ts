// RewardMap's two request-borne parts (arXiv 2510.02240, spec §6): the difficulty weight
// W_difficulty = W_map + W_question, and the detail reward — which of the question's sub-answers
// (intermediate facts) a response found, by a mark inside the fact's region or by stating its value.
// The caller computes both (ChartWorld does it exactly; any other data set can); this module only
// checks them and grades with them, so the reward service needs no knowledge of the data set.
import { relaxedAccuracy } from "@sketchvl/chartworld";
import { CoordinateSpace, type DrawingAction, type OutcomeConfig, OutcomeReward, type Point2, type Step, type SubAnswer } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";

export interface ImageSize {
  width: number;
  height: number;
}

export interface DifficultyWeights {
  /** W_difficulty, the factor on the whole RewardMap reward. */
  weight: number;
  map: number;
  question: number;
}

/** W_map + W_question when either is given, else difficulty_weight, else 1. */
export function difficultyWeights(config: OutcomeConfig | undefined): DifficultyWeights {
  const map = config?.mapWeight ?? 0;
  const question = config?.questionWeight ?? 0;
  if (map !== 0 || question !== 0) return { weight: map + question, map, question };
  return { weight: config?.difficultyWeight || 1, map: 0, question: 0 };
}

const nonNegative = (v: number) => Number.isFinite(v) && v >= 0;

/** Refuses, before any work, an outcome config that could only grade wrongly. */
export function validateOutcome(config: OutcomeConfig | undefined): void {
  if (!config) return;
  const rewardMap = config.kind === OutcomeReward.OUTCOME_REWARD_REWARDMAP;
  for (const [field, value] of [
    ["difficulty_weight", config.difficultyWeight],
    ["detail_alpha", config.detailAlpha],
    ["map_weight", config.mapWeight],
    ["question_weight", config.questionWeight],
  ] as const) {
    if (!nonNegative(value)) throw new InvalidArgumentError(`outcome.${field}`, `must be a finite number ≥ 0, got ${value}`);
  }
  const parts = config.mapWeight + config.questionWeight;
  if (!rewardMap && (parts !== 0 || config.subAnswers.length > 0))
    throw new InvalidArgumentError("outcome.kind", "map_weight, question_weight and sub_answers are RewardMap's: set kind OUTCOME_REWARD_REWARDMAP");
  if (parts !== 0 && config.difficultyWeight !== 0 && Math.abs(config.difficultyWeight - parts) > 1e-9)
    throw new InvalidArgumentError(
      "outcome.difficulty_weight",
      `is ${config.difficultyWeight} but map_weight + question_weight is ${parts}: give one or make them agree`,
    );
  const names = new Set<string>();
  config.subAnswers.forEach((s, i) => {
    const at = `outcome.sub_answers[${i}]`;
    if (s.name.trim() === "") throw new InvalidArgumentError(`${at}.name`, "must not be empty");
    if (names.has(s.name)) throw new InvalidArgumentError(`${at}.name`, `"${s.name}" appears twice`);
    names.add(s.name);
    if (!s.region && s.values.every((v) => v.trim() === "")) throw new InvalidArgumentError(at, "give a region, values, or both");
    const corners = s.region ? [s.region.corner1, s.region.corner2] : [];
    for (const c of corners) {
      if (!c || ![c.x, c.y].every((v) => Number.isFinite(v) && v >= 0 && v <= 1000))
        throw new InvalidArgumentError(`${at}.region`, "corners must be set and lie in 0..1000 (COORDINATE_SPACE_NORM_1000)");
    }
  });
}

/** The action's point in NORM_1000; undefined when it cannot be placed (pixels without the image's size). */
function norm1000(p: Point2 | undefined, space: CoordinateSpace, size: ImageSize | undefined): Point2 | undefined {
  if (!p) return undefined;
  switch (space) {
    case CoordinateSpace.COORDINATE_SPACE_UNIT:
      return { x: 1000 * p.x, y: 1000 * p.y };
    case CoordinateSpace.COORDINATE_SPACE_PIXEL:
      return size ? { x: (1000 * p.x) / size.width, y: (1000 * p.y) / size.height } : undefined;
    default:
      return p;
  }
}

/** Where a mark points: a rectangle's or circle's centre, the point, both ends of a line. Text and crops point nowhere. */
export function markPoints(action: DrawingAction | undefined, size?: ImageSize): Point2[] {
  const k = action?.kind;
  if (!action || !k) return [];
  const at = (p: Point2 | undefined) => norm1000(p, action.space, size);
  const mid = (a: Point2 | undefined, b: Point2 | undefined) => (a && b ? { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 } : undefined);
  let points: (Point2 | undefined)[] = [];
  if (k.$case === "point") points = [at(k.value.at)];
  else if (k.$case === "circle") points = [at(k.value.center)];
  else if (k.$case === "rectangle") points = [mid(at(k.value.corner1), at(k.value.corner2))];
  else if (k.$case === "line") points = [at(k.value.start), at(k.value.end)];
  return points.filter((p): p is Point2 => p !== undefined);
}

function inside(p: Point2, s: SubAnswer): boolean {
  const a = s.region?.corner1;
  const b = s.region?.corner2;
  if (!a || !b) return false;
  return p.x >= Math.min(a.x, b.x) && p.x <= Math.max(a.x, b.x) && p.y >= Math.min(a.y, b.y) && p.y <= Math.max(a.y, b.y);
}

const NUMBER_IN_TEXT = /[+-]?\d[\d,]*(?:\.\d+)?%?/g;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function states(text: string, value: string): boolean {
  const v = value.trim();
  if (v === "") return false;
  if (/^[+-]?[\d.,]+%?$/.test(v)) return (text.match(NUMBER_IN_TEXT) ?? []).some((n) => relaxedAccuracy(n.replace(/,$/, ""), v));
  return new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(v)}($|[^\\p{L}\\p{N}])`, "iu").test(text);
}

export interface DetailInput {
  steps: readonly Step[];
  answer: string;
  imageSize?: ImageSize;
}

/** For each sub-answer, whether the response found it (marked its region or stated its value). */
export function foundSubAnswers(subAnswers: readonly SubAnswer[], input: DetailInput): boolean[] {
  // Deductions, intents and the answer: what the response says. Coordinates live in the actions, never here.
  const said = [...input.steps.flatMap((s) => [s.deduction, s.intent]), input.answer].join("\n");
  const marks = input.steps.flatMap((s) => markPoints(s.action, input.imageSize));
  return subAnswers.map((s) => marks.some((p) => inside(p, s)) || s.values.some((v) => states(said, v)));
}
