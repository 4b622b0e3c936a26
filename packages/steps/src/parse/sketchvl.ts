// STEP_FORMAT_SKETCHVL, the paper's text format:
//   Deduction1: …free text, may continue on following lines…
//   Intent1: Box the FDI legend entry
//   Action1: #Draw Box, [y1,x1,y2,x2], Red
// Kinds: Box/Rectangle/Rect, Line [y1,x1,y2,x2], Point [y,x], Circle [y,x,r], Text [y,x], "text";
// the color is optional (empty = red). NORM_1000, y first. An Action line may hold several
// "#Draw" commands: each is a step sharing the intent. An action that is a JSON object
// ({"type": …}, see json.ts) is accepted too.
//
// Decisions: the numbers after the labels are ignored (models misnumber). An Action without an
// Intent is still a step, with an empty intent and no intent span (the mark can still be drawn and
// judged; the trainer decides). An Intent with no Action before the next Intent / Deduction /
// Answer / image marker is a FormatError on "action". Steps never cross an image marker.
import { CoordinateSpace, type DrawingAction } from "@sketchvl/contract";
import { markNameOfWord } from "../vocabulary";
import { YX_SHAPE, colorProblem, parseCoordinates, shapeAction } from "./actions";
import { actionFromJson } from "./json";
import { findImageMarkers, lines, segments, turnCounter } from "./markers";
import { trimSpan, type Span16 } from "./offsets";
import { errorItem, type FieldError, type FormatParse, type Item } from "./types";

const LABEL = /^[ \t]*[*_#>-]*[ \t]*(deduction|intent|action|(?:final[ \t]+)?answer)[ \t]*\d*[ \t]*[*_]*[ \t]*[:：][ \t]*(?:[*_]+[ \t]*)?/i;

interface Labeled {
  label: "deduction" | "intent" | "action" | "answer";
  line: Span16; // from the label to the end of the line, trimmed
  content: Span16; // after the label, trimmed
}

/** Labels on a line: usually one; "Intent1: … Action1: …" on one line gives two; a bare "#Draw …"
 *  line is an action. */
function classify(text: string, line: Span16): Labeled[] {
  const s = text.slice(line.start, line.end);
  const m = LABEL.exec(s);
  if (!m) {
    if (/^\s*#\s*draw\b/i.test(s)) return [{ label: "action", line: trimSpan(text, line), content: trimSpan(text, line) }];
    return /<\/?answer>/i.test(s) ? [{ label: "answer", line, content: line }] : [];
  }
  const word = m[1].toLowerCase();
  const label = word.endsWith("answer") ? "answer" : (word as Labeled["label"]);
  const start = line.start + m[0].length;
  const inline = label === "intent" ? /\s(?:[*_]+)?action[ \t]*\d*[ \t]*[*_]*[ \t]*[:：]/i.exec(s.slice(m[0].length)) : null;
  if (inline) {
    const split = start + inline.index + 1;
    const first = { start: line.start, end: split };
    return [{ label, line: trimSpan(text, first), content: trimSpan(text, { start, end: split }) }, ...classify(text, { start: split, end: line.end })];
  }
  return [{ label, line: trimSpan(text, line), content: trimSpan(text, { start, end: line.end }) }];
}

/** The "#Draw …" commands of an action line's content (one command if there is no "#Draw");
 *  text before the first "#Draw" is not part of any command. */
function splitCommands(text: string, content: Span16): Span16[] {
  const s = text.slice(content.start, content.end);
  const starts = [...s.matchAll(/#\s*draw\b/gi)].map((m) => content.start + m.index!);
  if (starts.length === 0) return [content];
  return starts.map((start, i) => {
    let span = trimSpan(text, { start, end: starts[i + 1] ?? content.end });
    const tail = /(?:[\s;,.]|\band\b|\bthen\b)+$/i.exec(text.slice(span.start, span.end));
    if (tail && i + 1 < starts.length) span = { start: span.start, end: span.end - tail[0].length };
    return span;
  });
}

const KIND_HEAD = /^#?\s*(?:draw\b)?\s*:?\s*(?:(?:a|an|the)\s+)?([A-Za-z_]+)/i;

/** Parses one command, e.g. "#Draw Box, [120, 80, 300, 410], Red". Spans are absolute. */
export function parseCommand(text: string, cmd: Span16): { action: DrawingAction; intent?: string } | FieldError {
  const s = text.slice(cmd.start, cmd.end);
  const at = (i: number, j: number): Span16 => ({ start: cmd.start + i, end: cmd.start + j });
  if (s.startsWith("{")) {
    try {
      const obj = JSON.parse(s);
      if (typeof obj === "object" && obj !== null && !Array.isArray(obj)) return actionFromJson(obj);
    } catch {
      /* reported below */
    }
    return { field: "action", message: "the action is not a valid JSON action object", span: cmd };
  }
  const head = KIND_HEAD.exec(s);
  if (!head) return { field: "action.kind", message: 'expected "#Draw <Kind>, [coordinates], <Color>"', span: cmd };
  const kindStart = head[0].length - head[1].length;
  const kind = markNameOfWord(head[1]);
  if (!kind) {
    return { field: "action.kind", message: `unknown action "${head[1]}"; use Box, Line, Point, Circle or Text`, span: at(kindStart, head[0].length) };
  }
  const shape = YX_SHAPE[kind];
  const bracket = /^\s*[,:]?\s*([[(])/.exec(s.slice(head[0].length));
  if (!bracket) {
    return { field: "action.coordinates", message: `expected coordinates ${shape} after ${head[1]}`, span: at(kindStart, s.length) };
  }
  const open = head[0].length + bracket[0].length - 1;
  const close = s.indexOf(bracket[1] === "[" ? "]" : ")", open);
  if (close < 0) return { field: "action.coordinates", message: `unclosed "${bracket[1]}" in coordinates`, span: at(open, s.length) };
  const tokens = [...s.slice(open + 1, close).matchAll(/[^\s,;]+/g)].map((m) => ({
    text: m[0],
    start: cmd.start + open + 1 + m.index!,
    end: cmd.start + open + 1 + m.index! + m[0].length,
  }));
  const nums = parseCoordinates(tokens, kind, shape, "action.coordinates", at(open, close + 1), "yx", CoordinateSpace.COORDINATE_SPACE_NORM_1000);
  if (!Array.isArray(nums)) return nums;

  // What follows the coordinates: [, "text"] [, color]
  let rest = close + 1;
  let label = "";
  if (kind === "text") {
    const q = /^\s*,?\s*(?:"([^"]*)"|'([^']*)'|“([^”]*)”)/.exec(s.slice(rest));
    if (q) {
      label = q[1] ?? q[2] ?? q[3];
      rest += q[0].length;
    } else {
      // Unquoted: everything, except a trailing ", <color>" when that is a known color.
      const body = s.slice(rest).replace(/^\s*,/, "");
      const comma = body.lastIndexOf(",");
      const tailColor = comma >= 0 && !colorProblem(body.slice(comma + 1).trim()) ? comma : -1;
      label = (tailColor >= 0 ? body.slice(0, tailColor) : body).trim();
      rest = tailColor >= 0 ? s.length - (body.length - tailColor) : s.length;
    }
    if (label.trim() === "") return { field: "action.text", message: `Text needs a string: Text ${shape}, "..."`, span: cmd };
  }
  const colorMatch = /^\s*,?\s*["']?(.*?)["']?\s*[.;,]?\s*$/.exec(s.slice(rest))!;
  const color = colorMatch[1];
  const problem = colorProblem(color);
  if (problem) {
    const start = rest + s.slice(rest).indexOf(color);
    return { field: "action.color", message: problem, span: at(start, start + color.length) };
  }
  return { action: shapeAction(kind, nums, "yx", CoordinateSpace.COORDINATE_SPACE_NORM_1000, color, label) };
}

interface Pending {
  // span: from the label to the last continuation line; content: the text after the label
  deduction?: { span: Span16; content: Span16 };
  intent?: { line: Span16; content: Span16 };
}

export function parseSketchVL(text: string): FormatParse {
  const markers = findImageMarkers(text);
  const items: Item[] = [];
  const slice = (span: Span16) => text.slice(span.start, span.end);
  for (const seg of segments(text, markers)) {
    let p: Pending = {};
    let inDeduction = false;
    const dropIntent = () => {
      if (p.intent) items.push({ type: "error", span: p.intent.line, field: "action", message: "the Intent has no Action line" });
      p.intent = undefined;
    };
    for (const line of lines(text, seg)) {
      const labels = classify(text, line);
      if (labels.length === 0) {
        // Unlabelled lines continue a Deduction; elsewhere they are ignored.
        const t = trimSpan(text, line);
        if (inDeduction && p.deduction && t.end > t.start) p.deduction.span.end = p.deduction.content.end = t.end;
        continue;
      }
      for (const l of labels) {
        inDeduction = l.label === "deduction";
        if (l.label === "deduction") {
          dropIntent();
          p.deduction = { span: { ...l.line }, content: { ...l.content } };
        } else if (l.label === "intent") {
          dropIntent();
          p.intent = { line: l.line, content: l.content };
        } else if (l.label === "answer") {
          dropIntent();
          p = {};
        } else {
          splitCommands(text, l.content).forEach((cmd, k) => {
            const r = parseCommand(text, cmd);
            if (!("action" in r)) {
              items.push(errorItem(r, cmd));
              return;
            }
            // The first command's step starts at its Deduction (or Intent, or Action label).
            const start = k > 0 ? cmd.start : (p.deduction?.span.start ?? p.intent?.line.start ?? l.line.start);
            items.push({
              type: "step",
              turn: seg.turn,
              intent: p.intent ? slice(p.intent.content) : (r.intent ?? ""),
              deduction: p.deduction ? slice(p.deduction.content).trim() : "",
              action: r.action,
              span: { start, end: cmd.end },
              intentSpan: p.intent?.content,
              actionSpan: cmd,
            });
          });
          p = {};
        }
      }
    }
    dropIntent();
  }
  return { items, turnAt: turnCounter(markers) };
}
