// Policy output → steps. Malformed model output never throws: what parses becomes steps, the
// rest FormatErrors. Only a bad `format` argument (a caller error) throws.
//
// Numbering: Step.index counts parsed steps (0, 1, 2, … with no gaps); a FormatError's step_index
// is the index the broken step would have had, i.e. the number of steps parsed before it.
// Spans are Unicode code points, half-open. turn_count = number of distinct turns that contain a
// step or the final answer.
//
// Coordinates are checked at parse time with the renderer's own rule (../coordinates.ts's
// coordinateProblem, which @sketchvl/drawing applies when it draws): a value that is not finite, or beyond one range outside the space
// (NORM_1000: −1000..2000, UNIT: −1..2; radii 0..2 ranges), makes that step a FormatError naming the
// coordinate ("action.coordinates[2]"), so every parsed step can be drawn.
import { StepFormat, type FormatError, type ParsedResponse, type Step } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import { findAnswer } from "./answer";
import { parseChartSketcher } from "./chartsketcher";
import { detectFormat } from "./detect";
import { parseJson } from "./json";
import { codePointMapper, toTextSpan } from "./offsets";
import { parseSketchVL } from "./sketchvl";
import type { FormatParse } from "./types";

export { detectFormat } from "./detect";
export { codePointMapper } from "./offsets";

const PARSERS: Readonly<Record<number, (text: string) => FormatParse>> = {
  [StepFormat.STEP_FORMAT_SKETCHVL]: parseSketchVL,
  [StepFormat.STEP_FORMAT_JSON]: parseJson,
  [StepFormat.STEP_FORMAT_CHARTSKETCHER]: parseChartSketcher,
};

export function parseSteps(text: string, format: StepFormat = StepFormat.STEP_FORMAT_UNSPECIFIED): ParsedResponse {
  const fmt = format === StepFormat.STEP_FORMAT_UNSPECIFIED ? detectFormat(text) : format;
  const parser = PARSERS[fmt];
  if (!parser) throw new InvalidArgumentError("format", `unknown step format ${format}`);
  const { items, turnAt } = parser(text);
  const map = codePointMapper(text);
  const steps: Step[] = [];
  const errors: FormatError[] = [];
  for (const item of items) {
    if (item.type === "error") {
      errors.push({ stepIndex: steps.length, span: toTextSpan(map, item.span), field: item.field, message: item.message });
      continue;
    }
    steps.push({
      index: steps.length,
      turn: item.turn,
      intent: item.intent,
      action: item.action,
      deduction: item.deduction,
      span: toTextSpan(map, item.span),
      intentSpan: item.intentSpan && toTextSpan(map, item.intentSpan),
      actionSpan: toTextSpan(map, item.actionSpan),
    });
  }
  const answer = findAnswer(text);
  const turns = new Set(steps.map((s) => s.turn));
  if (answer) turns.add(turnAt(answer.span.start));
  return {
    steps,
    errors,
    answer: answer?.answer ?? "",
    answerSpan: answer && toTextSpan(map, answer.span),
    turnCount: turns.size,
    format: fmt,
  };
}
