// From character spans to token spans with the caller's tokenizer offsets (where each completion
// token starts in the text, in code points — Hugging Face's offset_mapping[i][0]).
import type { TextSpan, TokenSpan } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";

/** Offsets must be non-decreasing and inside the text. */
export function validateTokenOffsets(offsets: readonly number[], textLength: number, field: string): void {
  for (let i = 0; i < offsets.length; i++) {
    if (offsets[i] > textLength) throw new InvalidArgumentError(`${field}[${i}]`, `${offsets[i]} is past the end of the text (${textLength} code points)`);
    if (i > 0 && offsets[i] < offsets[i - 1])
      throw new InvalidArgumentError(`${field}[${i}]`, `offsets must not decrease (${offsets[i - 1]} then ${offsets[i]})`);
  }
}

/**
 * The tokens covering `span`: from the token holding its first character (the last token starting
 * at or before span.start) up to, not including, the first token starting at or after span.end.
 */
export function tokenSpanOf(offsets: readonly number[], span: TextSpan): TokenSpan {
  const firstAtOrAfter = (position: number) => {
    let lo = 0;
    let hi = offsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (offsets[mid] < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  let start = firstAtOrAfter(span.start);
  if (start === offsets.length || offsets[start] > span.start) start = Math.max(0, start - 1);
  const end = Math.max(start + 1, firstAtOrAfter(span.end));
  return { start, end: Math.min(end, offsets.length) };
}
