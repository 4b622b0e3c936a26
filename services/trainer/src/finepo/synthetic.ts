// Synthetic groups for benchmarks and smoke tests: the paper's shape (k = 24 responses, 1–6 steps,
// binary outcome rewards, FinePRM-like scores), reproducible from a seed.
import { ActionKind } from "@sketchvl/contract";
import type { ActionDistribution } from "./klOffset";
import type { GroupInput, MemberInput, StepInput } from "./computeGroup";
import { Rng } from "@sketchvl/seeded-random";
import type { TokenSpan } from "./tokenAdvantages";

export interface SyntheticOptions {
  /** k; default 24 (the paper). */
  readonly groupSize?: number;
  readonly minSteps?: number;
  readonly maxSteps?: number;
  /** Add token counts, step spans and image spans (token arrays are then computed too). */
  readonly withTokens?: boolean;
}

// Text is rarer than the drawn kinds, as in RoI trajectories.
const KINDS: readonly ActionKind[] = [
  ActionKind.ACTION_KIND_RECTANGLE,
  ActionKind.ACTION_KIND_RECTANGLE,
  ActionKind.ACTION_KIND_LINE,
  ActionKind.ACTION_KIND_LINE,
  ActionKind.ACTION_KIND_POINT,
  ActionKind.ACTION_KIND_POINT,
  ActionKind.ACTION_KIND_CIRCLE,
  ActionKind.ACTION_KIND_TEXT,
];

/** `count` groups drawn from `seed`; the same arguments always give the same groups. */
export function makeSyntheticGroups(seed: string, count: number, options: SyntheticOptions = {}): GroupInput[] {
  const rng = new Rng(seed);
  const k = options.groupSize ?? 24;
  const minSteps = options.minSteps ?? 1;
  const maxSteps = options.maxSteps ?? 6;
  const int = (lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));
  const groups: GroupInput[] = [];
  for (let g = 0; g < count; g++) {
    const members: MemberInput[] = [];
    for (let i = 0; i < k; i++) {
      const steps: StepInput[] = [];
      const images: TokenSpan[] = [];
      let cursor = int(10, 60); // opening deduction
      const stepCount = int(minSteps, maxSteps);
      for (let j = 0; j < stepCount; j++) {
        const length = int(12, 40);
        const span = { start: cursor, end: cursor + length };
        cursor = span.end + int(0, 30); // deduction between steps
        if (options.withTokens && j % 2 === 1) {
          images.push({ start: cursor, end: cursor + 64 }); // the annotated image fed back after a turn
          cursor += 64;
        }
        steps.push({
          kind: KINDS[int(0, KINDS.length - 1)],
          score: int(1, 4), // FinePRM labels 1..4
          tokenSpan: options.withTokens ? span : undefined,
          tokenLength: options.withTokens ? undefined : length,
        });
      }
      const tokenCount = cursor + int(5, 30); // the final answer
      members.push({
        reward: rng.next() < 0.5 ? 1 : 0,
        steps,
        tokenCount: options.withTokens ? tokenCount : undefined,
        imageTokenSpans: options.withTokens ? images : undefined,
      });
    }
    groups.push({ members });
  }
  return groups;
}

/** A prior near FinePRM's balanced drawing kinds, and a window that over-uses rectangles. */
export function syntheticDistributions(): { prior: ActionDistribution; current: ActionDistribution } {
  return {
    prior: new Map([
      [ActionKind.ACTION_KIND_POINT, 0.22],
      [ActionKind.ACTION_KIND_LINE, 0.22],
      [ActionKind.ACTION_KIND_RECTANGLE, 0.22],
      [ActionKind.ACTION_KIND_CIRCLE, 0.22],
      [ActionKind.ACTION_KIND_TEXT, 0.12],
    ]),
    current: new Map([
      [ActionKind.ACTION_KIND_POINT, 0.15],
      [ActionKind.ACTION_KIND_LINE, 0.2],
      [ActionKind.ACTION_KIND_RECTANGLE, 0.45],
      [ActionKind.ACTION_KIND_CIRCLE, 0.1],
      [ActionKind.ACTION_KIND_TEXT, 0.1],
    ]),
  };
}
