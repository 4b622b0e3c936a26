// One group end to end: Eq. 1 over the rewards, Eqs. 3–4 per step kind, Eqs. 5–8 per response,
// then token arrays. All four modes of trainer.proto:
//   finepo        Eqs. 1–8 with the KL offset
//   finepo_no_kl  offsets 0 (the paper's "w/o KL" ablation)
//   grpo          A(y_i) on every step and token; p̄ and Δ are still reported (process-quality
//                 audits), κ = 0
//   random_prm    FinePO with scores drawn uniformly from [1, 4) by a PRNG seeded with `seed`
// Everything is validated before anything is computed, so an error never leaves half an answer.
import { ACTION_KIND_SLOTS, ActionKind, isKnownActionKind } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import { coarseAdvantages } from "./coarseAdvantage";
import { type ActionDistribution, klOffsetTable } from "./klOffset";
import { Rng } from "@sketchvl/seeded-random";
import { randomScore } from "./randomScores";
import { type Redistribution, redistributeInPlace, type StepWork } from "./redistribute";
import { type FinePOSettings, validateSettings } from "./settings";
import { checkTokenLayout, paintTokens, type TokenSpan, validateSpan, validateTokenCount } from "./tokenAdvantages";

export interface StepInput {
  readonly kind: ActionKind;
  /** p_j, any finite number (FinePRM: 1..4; ignored in random_prm mode). */
  readonly score: number;
  /** L_j > 0; defaults to the token span's length, then to 1. */
  readonly tokenLength?: number | undefined;
  /** [start, end) among the completion tokens; required for scored steps when tokenCount is set. */
  readonly tokenSpan?: TokenSpan | undefined;
}

export interface MemberInput {
  /** R(y_i). */
  readonly reward: number;
  readonly steps: readonly StepInput[];
  /** Number of completion tokens; when set, token arrays are returned. */
  readonly tokenCount?: number | undefined;
  /** Image tokens fed back between turns: advantage 0, masked out of the loss. */
  readonly imageTokenSpans?: readonly TokenSpan[] | undefined;
}

export interface GroupInput {
  readonly members: readonly MemberInput[];
}

export interface GroupContext {
  /** Q(a); absent or empty → every offset is 0. */
  readonly prior?: ActionDistribution | undefined;
  /** P(a) over the window; absent or empty (no information) → every offset is 0. */
  readonly current?: ActionDistribution | undefined;
  /** PRNG seed for random_prm (the request id); required in that mode. */
  readonly seed?: string | undefined;
}

/** Everything about one step an auditor needs to recompute Eqs. 3–8 by hand. */
export interface StepResult extends StepWork {
  readonly kind: ActionKind;
  /** p_j as given, or as drawn in random_prm mode. */
  score: number;
  /** O_clipped(a_j); 0 for excluded steps and in finepo_no_kl / grpo. */
  klOffset: number;
  /** L_j as used in Eq. 5. */
  readonly tokenLength: number;
  readonly tokenSpan: TokenSpan | undefined;
  /** Text actions: no part in p̄ / κ, advantage = A(y_i). */
  readonly excluded: boolean;
}

export interface MemberResult extends Redistribution {
  /** A(y_i), Eq. 1. */
  coarseAdvantage: number;
  readonly steps: StepResult[];
  /** Per completion token, when tokenCount was given. */
  tokenAdvantages: Float32Array | undefined;
  /** 1 = in the loss, 0 = masked (image tokens); when tokenCount was given. */
  lossMask: Uint8Array | undefined;
}

export interface GroupResult {
  readonly members: MemberResult[];
  readonly settings: FinePOSettings;
  /** The distributions this answer used. */
  readonly prior: ActionDistribution;
  readonly current: ActionDistribution;
}

const EMPTY: ActionDistribution = new Map();
const NO_OFFSETS = new Float64Array(ACTION_KIND_SLOTS);

export function computeGroupAdvantages(input: GroupInput, settings: FinePOSettings, context: GroupContext = {}): GroupResult {
  // resolveSettings already validated; this is a dozen comparisons, cheap insurance for callers
  // that build settings by hand.
  validateSettings(settings);
  const members = input.members;
  if (!Array.isArray(members)) throw new InvalidArgumentError("members", "must be a list");
  const k = members.length;
  if (k === 0) throw new InvalidArgumentError("members", "the group is empty");
  if (settings.mode === "random_prm" && !context.seed) {
    throw new InvalidArgumentError("request_id", "random_prm mode needs a seed (the request id) so retries draw the same scores");
  }

  // Phase 1: validate and lay out the results.
  const rewards = new Float64Array(k);
  const results: MemberResult[] = new Array(k);
  for (let i = 0; i < k; i++) {
    try {
      rewards[i] = members[i].reward;
      results[i] = prepareMember(members[i]);
    } catch (err) {
      if (err instanceof InvalidArgumentError) throw err.at(`members[${i}]`);
      throw err;
    }
  }

  // Phase 2: compute.
  const prior = context.prior ?? EMPTY;
  const current = context.current ?? EMPTY;
  const coarse = coarseAdvantages(rewards, settings);
  const withKl = settings.mode === "finepo" || settings.mode === "random_prm";
  const offsets = withKl ? klOffsetTable(prior, current, settings) : NO_OFFSETS;
  const rng = settings.mode === "random_prm" ? new Rng(context.seed as string) : undefined;
  const grpo = settings.mode === "grpo";
  const options = grpo ? { alpha: 0, beta: settings.beta, epsilon: settings.epsilon } : settings;

  // One buffer for every response's token arrays: a typed-array allocation per response costs
  // several times the painting (measured). Members get views; `.buffer` is therefore shared.
  let totalTokens = 0;
  for (let i = 0; i < k; i++) totalTokens += members[i].tokenCount ?? 0;
  const buffer = totalTokens > 0 ? new ArrayBuffer(totalTokens * 5) : undefined;
  let tokenOffset = 0;

  for (let i = 0; i < k; i++) {
    const member = results[i];
    const steps = member.steps;
    member.coarseAdvantage = coarse[i];
    for (let j = 0; j < steps.length; j++) {
      const s = steps[j];
      // One draw per step, Text included, so a step's draw depends only on its position.
      if (rng !== undefined) s.score = randomScore(rng);
      s.klOffset = s.excluded ? 0 : offsets[s.kind];
    }
    redistributeInPlace(coarse[i], steps, options, member);
    if (grpo) member.kappa = 0;
    const tokenCount = members[i].tokenCount;
    if (tokenCount !== undefined) {
      const into = {
        advantages: buffer ? new Float32Array(buffer, tokenOffset * 4, tokenCount) : new Float32Array(0),
        lossMask: buffer ? new Uint8Array(buffer, totalTokens * 4 + tokenOffset, tokenCount) : new Uint8Array(0),
      };
      tokenOffset += tokenCount;
      paintTokens({ tokenCount, coarse: coarse[i], steps, imageTokenSpans: members[i].imageTokenSpans ?? [] }, into);
      member.tokenAdvantages = into.advantages;
      member.lossMask = into.lossMask;
    }
  }
  return { members: results, settings, prior, current };
}

/** Validates one member (fields relative to it) and builds its result skeleton. */
function prepareMember(member: MemberInput): MemberResult {
  if (!Number.isFinite(member.reward)) throw new InvalidArgumentError("reward", `must be finite, got ${member.reward}`);
  const tokenCount = member.tokenCount;
  if (tokenCount !== undefined) validateTokenCount(tokenCount, "token_count");
  const inputs = member.steps;
  if (!Array.isArray(inputs)) throw new InvalidArgumentError("steps", "must be a list");
  const steps: StepResult[] = new Array(inputs.length);
  for (let j = 0; j < inputs.length; j++) steps[j] = prepareStep(inputs[j], j, tokenCount);
  const images = member.imageTokenSpans ?? [];
  for (let i = 0; i < images.length; i++) validateSpan(images[i], `image_token_spans[${i}]`, tokenCount);
  if (tokenCount !== undefined) checkTokenLayout(steps, images);
  return {
    coarseAdvantage: 0,
    kappa: 0,
    meanAdjustedScore: 0,
    steps,
    tokenAdvantages: undefined,
    lossMask: undefined,
  };
}

function prepareStep(step: StepInput, j: number, tokenCount: number | undefined): StepResult {
  const { kind, score, tokenLength, tokenSpan } = step;
  // UNSPECIFIED is proto3's silent default: a caller that forgot the kind should hear about it.
  if (!isKnownActionKind(kind)) {
    throw new InvalidArgumentError(`steps[${j}].kind`, `must be a known action kind (not UNSPECIFIED), got ${String(kind)}`);
  }
  if (!Number.isFinite(score)) throw new InvalidArgumentError(`steps[${j}].score`, `must be finite, got ${score}`);
  if (tokenSpan !== undefined) validateSpan(tokenSpan, `steps[${j}].token_span`, tokenCount);
  let length: number;
  if (tokenLength !== undefined) {
    if (!(Number.isFinite(tokenLength) && tokenLength > 0)) {
      throw new InvalidArgumentError(`steps[${j}].token_length`, `must be finite and > 0 (leave it unset to use the span's length), got ${tokenLength}`);
    }
    length = tokenLength;
  } else {
    length = tokenSpan !== undefined && tokenSpan.end > tokenSpan.start ? tokenSpan.end - tokenSpan.start : 1;
  }
  return {
    kind,
    score,
    klOffset: 0,
    tokenLength: length,
    tokenSpan,
    excluded: kind === ActionKind.ACTION_KIND_TEXT,
    adjustedScore: 0,
    deviation: 0,
    unclippedAdvantage: 0,
    advantage: 0,
  };
}
