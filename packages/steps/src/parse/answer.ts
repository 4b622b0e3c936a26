// The final answer: the last <answer>…</answer> block (an unclosed one runs to the end), else the
// last "Answer: …" line ("Final Answer:", markdown bold allowed). The span covers the answer
// itself: surrounding markdown emphasis, quotes and a sentence-final period are left out, so the
// answer can be graded as it stands ("**Answer:** \"Brazil\"." → Brazil). A line may start
// right after an image marker: a multi-turn rollout reads "…Red\n<image>Answer: 2015".
import { findImageMarkers } from "./markers";
import { trimSpan, type Span16 } from "./offsets";

/** "Answer:" as a line label; group 1 is the content. */
const ANSWER_LINE = /^[ \t]*[*_#>-]*[ \t]*(?:final[ \t]+)?answer[ \t]*[*_]*[ \t]*[:：][ \t]*(?:[*_]+[ \t]*)?(.*)$/gim;

/** The tags, case-insensitively. Searched in the text itself: offsets into text.toLowerCase() are
 *  not offsets into the text ("İ" lower-cases to two UTF-16 units). */
const OPEN_TAG = /<answer>/gi;
const CLOSE_TAG = /<\/answer>/gi;

export function findAnswer(text: string): { answer: string; span: Span16 } | undefined {
  let open = -1;
  for (const m of text.matchAll(OPEN_TAG)) open = m.index!;
  if (open >= 0) {
    const start = open + "<answer>".length;
    CLOSE_TAG.lastIndex = start;
    const close = CLOSE_TAG.exec(text)?.index ?? -1;
    return result(text, trimSpan(text, { start, end: close < 0 ? text.length : close }));
  }
  let last: RegExpExecArray | undefined;
  for (const m of withoutMarkers(text).matchAll(ANSWER_LINE)) last = m;
  if (!last) return undefined;
  const end = last.index! + last[0].length;
  return result(text, trimSpan(text, { start: end - last[1].length, end }));
}

/** The text with image markers blanked (same offsets), so a label right after one starts its line. */
function withoutMarkers(text: string): string {
  const parts: string[] = [];
  let at = 0;
  for (const m of findImageMarkers(text)) {
    parts.push(text.slice(at, m.start), text.slice(m.start, m.end).replace(/[^\n]/g, " "));
    at = m.end;
  }
  parts.push(text.slice(at));
  return parts.join("");
}

/** Drops emphasis, quotes and a final period around the answer (the same on both ends). */
function unwrap(text: string, span: Span16): Span16 {
  let { start, end } = span;
  for (;;) {
    const before = { start, end };
    while (end > start && /[*_\r"'`“”‘’\s]/.test(text[end - 1])) end--;
    if (end > start && text[end - 1] === "." && !/\d/.test(text[end - 2] ?? "")) end--;
    while (start < end && /[*_"'`“”‘’\s]/.test(text[start])) start++;
    if (start === before.start && end === before.end) return { start, end };
  }
}

function result(text: string, raw: Span16) {
  const span = unwrap(text, raw);
  const answer = text.slice(span.start, span.end);
  return answer === "" ? undefined : { answer, span };
}
