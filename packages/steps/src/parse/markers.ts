// Turn boundaries: where the annotated image is fed back to the policy, shown in the text by an
// image placeholder. A <|vision_start|> … <|vision_end|> block is one marker, and markers separated
// only by whitespace are merged (Qwen repeats <|image_pad|> per patch; two images fed back
// together are still one return of control), so turn numbers have no gaps.
import type { Span16 } from "./offsets";

const MARKER = /<\|vision_start\|>[\s\S]*?<\|vision_end\|>|<\|vision_start\|>|<\|vision_end\|>|<\|image_pad\|>|<image>/g;

export function findImageMarkers(text: string): Span16[] {
  const out: Span16[] = [];
  for (const m of text.matchAll(MARKER)) {
    const start = m.index!;
    const end = start + m[0].length;
    const last = out[out.length - 1];
    if (last && /^\s*$/.test(text.slice(last.end, start))) last.end = end;
    else out.push({ start, end });
  }
  return out;
}

/** The turn of a position: how many markers end at or before it (markers in text order). */
export function turnCounter(markers: readonly Span16[]): (pos: number) => number {
  return countAtOrBefore(markers.map((m) => m.end));
}

/** For ascending `ends`: a function giving how many of them are ≤ pos, by binary search
 *  (O(log n) per lookup: a response with thousands of steps and markers stays linear overall). */
export function countAtOrBefore(ends: readonly number[]): (pos: number) => number {
  return (pos) => {
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid] <= pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** The text between markers, each with its turn. */
export function segments(text: string, markers: readonly Span16[]): Array<Span16 & { turn: number }> {
  const out: Array<Span16 & { turn: number }> = [];
  let start = 0;
  markers.forEach((m, i) => {
    out.push({ start, end: m.start, turn: i });
    start = m.end;
  });
  out.push({ start, end: text.length, turn: markers.length });
  return out;
}

/** The lines of [span.start, span.end): content spans without the line break (or a trailing \r). */
export function lines(text: string, span: Span16): Span16[] {
  const out: Span16[] = [];
  let start = span.start;
  while (start <= span.end) {
    let nl = text.indexOf("\n", start);
    if (nl < 0 || nl > span.end) nl = span.end;
    const end = nl > start && text[nl - 1] === "\r" ? nl - 1 : nl;
    out.push({ start, end });
    start = nl + 1;
  }
  return out;
}
