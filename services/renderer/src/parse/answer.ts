// The final answer: the last <answer>…</answer> block (an unclosed one runs to the end), else the
// last "Answer: …" line ("Final Answer:", markdown bold allowed). The span covers the trimmed text.
import { trimSpan, type Span16 } from "./offsets";

/** "Answer:" as a line label; group 1 is the content. */
const ANSWER_LINE = /^[ \t]*[*_#>-]*[ \t]*(?:final[ \t]+)?answer[ \t]*[*_]*[ \t]*[:：][ \t]*(?:[*_]+[ \t]*)?(.*)$/gim;

export function findAnswer(text: string): { answer: string; span: Span16 } | undefined {
  const open = text.toLowerCase().lastIndexOf("<answer>");
  if (open >= 0) {
    const start = open + "<answer>".length;
    const close = text.toLowerCase().indexOf("</answer>", start);
    return result(text, trimSpan(text, { start, end: close < 0 ? text.length : close }));
  }
  let last: RegExpExecArray | undefined;
  for (const m of text.matchAll(ANSWER_LINE)) last = m;
  if (!last) return undefined;
  const end = last.index! + last[0].length;
  let span = trimSpan(text, { start: end - last[1].length, end });
  while (span.end > span.start && /[*_\r]/.test(text[span.end - 1])) span = { ...span, end: span.end - 1 };
  return result(text, trimSpan(text, span));
}

function result(text: string, span: Span16) {
  const answer = text.slice(span.start, span.end);
  return answer === "" ? undefined : { answer, span };
}
