// Token-level advantages (the paper's Algorithm 1 / Figure 1): every completion token starts with
// A(y_i); a scored step's tokens get A(s_j); tokens in no step (Deduction text, the final answer,
// Text actions) keep A(y_i); image tokens fed back between turns get 0 and are masked out of the loss.
import type { TokenSpan } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";

export type { TokenSpan };

/** Guard against absurd allocations: 2^20 tokens is far past any VLM context window. */
export const MAX_TOKEN_COUNT = 1 << 20;

export interface TokenStep {
  /** [start, end) among the completion tokens; required for scored steps. */
  readonly tokenSpan?: TokenSpan | undefined;
  /** A(s_j). */
  readonly advantage: number;
  /** Excluded (Text) steps keep A(y_i); their span is still checked for overlaps. */
  readonly excluded: boolean;
}

export interface TokenAdvantageInput {
  readonly tokenCount: number;
  /** A(y_i). */
  readonly coarse: number;
  readonly steps: readonly TokenStep[];
  readonly imageTokenSpans: readonly TokenSpan[];
}

export interface TokenAdvantages {
  readonly advantages: Float32Array;
  /** 1 = the token counts in the loss, 0 = masked (image tokens). */
  readonly lossMask: Uint8Array;
}

/** Throws unless `span` is [start, end) with integers 0 ≤ start ≤ end (≤ tokenCount when given). */
export function validateSpan(span: TokenSpan, field: string, tokenCount?: number): void {
  const { start, end } = span;
  if (!Number.isInteger(start) || start < 0) {
    throw new InvalidArgumentError(`${field}.start`, `must be an integer >= 0, got ${start}`);
  }
  if (!Number.isInteger(end) || end < 0) throw new InvalidArgumentError(`${field}.end`, `must be an integer >= 0, got ${end}`);
  if (start > end) throw new InvalidArgumentError(field, `start ${start} is after end ${end}`);
  if (tokenCount !== undefined && end > tokenCount) {
    throw new InvalidArgumentError(`${field}.end`, `${end} is past token_count ${tokenCount}`);
  }
}

export function validateTokenCount(tokenCount: number, field: string): void {
  if (!Number.isInteger(tokenCount) || tokenCount < 0 || tokenCount > MAX_TOKEN_COUNT) {
    throw new InvalidArgumentError(field, `must be an integer in [0, ${MAX_TOKEN_COUNT}], got ${tokenCount}`);
  }
}

// Scratch for the overlap check, grown on demand: no allocation per call in the steady state.
let scratchStart = new Int32Array(64);
let scratchEnd = new Int32Array(64);
let scratchId = new Int32Array(64);

function spanField(id: number, stepCount: number): string {
  return id < stepCount ? `steps[${id}].token_span` : `image_token_spans[${id - stepCount}]`;
}

/**
 * The layout rules once every span is individually valid: scored steps need a span (without one a
 * step's advantage could not reach its tokens and the output would silently be GRPO for it), and no
 * two non-empty spans share a token (step/step, step/image, image/image): a token has exactly one
 * owner, or its advantage would depend on painting order.
 */
export function checkTokenLayout(steps: readonly Pick<TokenStep, "tokenSpan" | "excluded">[], imageTokenSpans: readonly TokenSpan[]): void {
  const stepCount = steps.length;
  const total = stepCount + imageTokenSpans.length;
  if (scratchStart.length < total) {
    const size = Math.max(total, scratchStart.length * 2);
    scratchStart = new Int32Array(size);
    scratchEnd = new Int32Array(size);
    scratchId = new Int32Array(size);
  }
  let n = 0;
  for (let id = 0; id < total; id++) {
    let span: TokenSpan | undefined;
    if (id < stepCount) {
      span = steps[id].tokenSpan;
      if (span === undefined && !steps[id].excluded) {
        throw new InvalidArgumentError(`steps[${id}].token_span`, "is required for scored steps when token_count is set");
      }
    } else {
      span = imageTokenSpans[id - stepCount];
    }
    if (span === undefined || span.start === span.end) continue;
    // Insertion sort by start: spans arrive almost sorted and are few.
    let i = n++;
    while (i > 0 && scratchStart[i - 1] > span.start) {
      scratchStart[i] = scratchStart[i - 1];
      scratchEnd[i] = scratchEnd[i - 1];
      scratchId[i] = scratchId[i - 1];
      i--;
    }
    scratchStart[i] = span.start;
    scratchEnd[i] = span.end;
    scratchId[i] = id;
  }
  for (let i = 1; i < n; i++) {
    if (scratchStart[i] < scratchEnd[i - 1]) {
      const a = Math.min(scratchId[i - 1], scratchId[i]);
      const b = Math.max(scratchId[i - 1], scratchId[i]);
      throw new InvalidArgumentError(spanField(b, stepCount), `overlaps ${spanField(a, stepCount)}`);
    }
  }
}

/**
 * Validates every span (field paths relative to the member: "token_count", "steps[1].token_span",
 * "image_token_spans[0].end") and paints the arrays.
 */
export function tokenAdvantages(input: TokenAdvantageInput): TokenAdvantages {
  const { tokenCount, coarse, steps, imageTokenSpans } = input;
  validateTokenCount(tokenCount, "token_count");
  if (!Number.isFinite(coarse)) throw new InvalidArgumentError("coarse", `must be finite, got ${coarse}`);
  for (let j = 0; j < steps.length; j++) {
    const step = steps[j];
    if (step.tokenSpan !== undefined) validateSpan(step.tokenSpan, `steps[${j}].token_span`, tokenCount);
    if (!Number.isFinite(step.advantage)) {
      throw new InvalidArgumentError(`steps[${j}].advantage`, `must be finite, got ${step.advantage}`);
    }
  }
  for (let i = 0; i < imageTokenSpans.length; i++) {
    validateSpan(imageTokenSpans[i], `image_token_spans[${i}]`, tokenCount);
  }
  checkTokenLayout(steps, imageTokenSpans);
  return paintTokens(input);
}

/**
 * Painting only; spans must already be valid and disjoint. `into` (zeroed arrays of tokenCount
 * elements, e.g. views of one buffer per group) avoids an allocation per response, which costs
 * more than the painting itself.
 */
export function paintTokens(input: TokenAdvantageInput, into?: TokenAdvantages): TokenAdvantages {
  const { tokenCount, coarse, steps, imageTokenSpans } = input;
  const advantages = into?.advantages ?? new Float32Array(tokenCount);
  const lossMask = into?.lossMask ?? new Uint8Array(tokenCount);
  if (coarse !== 0) advantages.fill(coarse);
  lossMask.fill(1);
  for (let j = 0; j < steps.length; j++) {
    const step = steps[j];
    if (step.excluded || step.tokenSpan === undefined) continue;
    advantages.fill(step.advantage, step.tokenSpan.start, step.tokenSpan.end);
  }
  for (let i = 0; i < imageTokenSpans.length; i++) {
    const span = imageTokenSpans[i];
    advantages.fill(0, span.start, span.end);
    lossMask.fill(0, span.start, span.end);
  }
  return into ?? { advantages, lossMask };
}
