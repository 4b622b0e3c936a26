// JS strings index UTF-16 code units; the contract's TextSpan counts Unicode code points (Python
// str indices, the unit of Hugging Face offset mappings). Parsers work in UTF-16 and convert once.
import type { TextSpan } from "@sketchvl/contract";

/** A half-open [start, end) range of UTF-16 code units in the text being parsed. */
export interface Span16 {
  start: number;
  end: number;
}

/** Returns a function mapping a UTF-16 offset (0..text.length) to a code-point offset. */
export function codePointMapper(text: string): (utf16: number) => number {
  if (!/[\ud800-\udfff]/.test(text)) return (i) => i; // no surrogates: the units are the same
  const map = new Uint32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    map[i] = cp;
    const c = text.charCodeAt(i);
    // The low half of a pair shares its code point's index; only the pair as a whole counts one.
    const pairStart = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pairStart) {
      map[i + 1] = cp;
      i++;
    }
    cp++;
  }
  map[text.length] = cp;
  return (i) => map[i];
}

/** Converts a UTF-16 span with a mapper from codePointMapper. */
export function toTextSpan(map: (utf16: number) => number, span: Span16): TextSpan {
  return { start: map(span.start), end: map(span.end) };
}

/** The span of `s` with surrounding whitespace removed (an empty span stays where it was). */
export function trimSpan(text: string, span: Span16): Span16 {
  let { start, end } = span;
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return { start, end };
}
