// STEP_FORMAT_CHARTSKETCHER (arXiv 2505.19076): commands one a line inside BEGIN … END:
//   create_point id x y [color]          create_line id x1 y1 x2 y2 [color]
//   create_circle id cx cy r [color]     create_rectangle id x1 y1 x2 y2 [color]
//   create_arrow id x1 y1 x2 y2 [color]  (drawn as a line)
// UNIT space (0..1), x first; the radius is measured along min(W, H). Each BEGIN…END block is one
// turn. The id may be left out when only numbers follow the command. translate / rotate / delete
// edit earlier marks, which a step-by-step renderer cannot express: they are FormatErrors.
// Commands outside any block are FormatErrors too (ChartSketcher would not execute them). A BEGIN
// without END runs to the next BEGIN or the end of the text. There are no intents.
import { COORDINATE_COUNT, CoordinateSpace, type MarkName } from "@sketchvl/contract";
import { colorProblem, parseCoordinates, parseNumber, shapeAction } from "./actions";
import { countAtOrBefore, lines } from "./markers";
import { trimSpan, type Span16 } from "./offsets";
import { errorItem, type FieldError, type FormatParse, type Item, type StepDraft } from "./types";

const CREATE: Readonly<Record<string, { kind: MarkName; shape: string }>> = {
  create_point: { kind: "point", shape: "x y" },
  create_line: { kind: "line", shape: "x1 y1 x2 y2" },
  create_arrow: { kind: "line", shape: "x1 y1 x2 y2" },
  create_circle: { kind: "circle", shape: "cx cy r" },
  create_rectangle: { kind: "rectangle", shape: "x1 y1 x2 y2" },
};
const EDITING = new Set(["translate", "rotate", "delete"]);
const COMMAND_WORD = /^(create_\w+|translate|rotate|delete)\b/i;

type Token = { text: string; start: number; end: number };

function tokenize(text: string, line: Span16): Token[] {
  return [...text.slice(line.start, line.end).matchAll(/[^\s,()]+/g)].map((m) => ({
    text: m[0],
    start: line.start + m.index!,
    end: line.start + m.index! + m[0].length,
  }));
}

function parseCommandLine(text: string, line: Span16, turn: number): StepDraft | FieldError {
  const [head, ...args] = tokenize(text, line);
  const name = head.text.toLowerCase();
  if (EDITING.has(name)) {
    return { field: "action", message: `"${head.text}" edits an earlier mark; editing commands (translate, rotate, delete) are not supported`, span: head };
  }
  // Own keys only: a line "constructor 1 2" must not find Object.prototype's members.
  const spec = Object.hasOwn(CREATE, name) ? CREATE[name] : undefined;
  if (!spec) {
    return { field: "action.kind", message: `unknown command "${head.text}"; use ${Object.keys(CREATE).join(", ")}`, span: head };
  }
  const n = COORDINATE_COUNT[spec.kind];
  const numeric = (t: Token | undefined) => t !== undefined && typeof parseNumber(t.text) === "number";
  // No id when the arguments are exactly the numbers (plus possibly a non-numeric color).
  const idless = args.slice(0, n).every(numeric) && (args.length === n || (args.length === n + 1 && !numeric(args[n])));
  const rest = idless ? args : args.slice(1);
  let k = 0;
  while (k < rest.length && numeric(rest[k])) k++;
  // Too few numbers followed by at most a color: a count error, not "not a number".
  const coordTokens = k < n && rest.length - k <= 1 ? rest.slice(0, k) : rest.slice(0, n);
  const whole = { start: head.end, end: line.end };
  const nums = parseCoordinates(coordTokens, spec.kind, spec.shape, "action.coordinates", whole, "xy", CoordinateSpace.COORDINATE_SPACE_UNIT);
  if (!Array.isArray(nums)) {
    if (k < n && rest.length - k <= 1) nums.message = `${head.text} needs ${spec.shape} (${n} numbers), got ${k}`;
    return nums;
  }
  const extra = rest.slice(coordTokens.length);
  if (extra.length > 1) {
    return {
      field: "action",
      message: `too many arguments for ${head.text}: expected id ${spec.shape} [color]`,
      span: { start: extra[1].start, end: line.end },
    };
  }
  const color = extra[0]?.text ?? "";
  const problem = colorProblem(color);
  if (problem) return { field: "action.color", message: problem, span: extra[0] };
  return {
    type: "step",
    turn,
    intent: "",
    deduction: "",
    action: shapeAction(spec.kind, nums, "xy", CoordinateSpace.COORDINATE_SPACE_UNIT, color),
    span: line,
    intentSpan: undefined,
    actionSpan: line,
  };
}

export function parseChartSketcher(text: string): FormatParse {
  const items: Item[] = [];
  const blockEnds: number[] = []; // where each block ended, for turnAt
  let block = -1; // index of the open block, or -1
  let begun = 0;
  for (const raw of lines(text, { start: 0, end: text.length })) {
    const line = trimSpan(text, raw);
    const s = text.slice(line.start, line.end);
    if (/^BEGIN\b/i.test(s)) {
      if (block >= 0) blockEnds.push(line.start); // implicit END
      block = begun++;
    } else if (/^END\b/i.test(s)) {
      if (block >= 0) blockEnds.push(line.end);
      block = -1;
    } else if (s === "" || s.startsWith("#") || s.startsWith("//")) {
    } else if (block >= 0) {
      const r = parseCommandLine(text, line, block);
      items.push("type" in r ? r : errorItem(r, line));
    } else if (COMMAND_WORD.test(s)) {
      items.push({ type: "error", span: line, field: "action", message: "command outside BEGIN ... END" });
    }
  }
  // A position's turn: how many blocks ended at or before it (steps inside block b are turn b).
  const turnAt = countAtOrBefore(blockEnds); // ascending: blocks end in text order
  return { items, turnAt };
}
