// Which format a response is in, when the caller does not say (STEP_FORMAT_UNSPECIFIED).
import { StepFormat } from "@sketchvl/contract";

/** ChartSketcher (BEGIN / create_…), then SketchVL (#Draw / ActionN:), then JSON ({"type": …});
 *  SketchVL when nothing matches (the answer is still extracted). */
export function detectFormat(text: string): StepFormat {
  if (/^[ \t]*BEGIN[ \t]*\r?$/m.test(text) || /\bcreate_(?:point|line|circle|rectangle|arrow)\b/i.test(text)) {
    return StepFormat.STEP_FORMAT_CHARTSKETCHER;
  }
  if (/#\s*Draw\b/i.test(text) || /^[ \t]*[*_#>-]*[ \t]*Action[ \t]*\d*[ \t]*[*_]*[ \t]*[:：]/im.test(text)) {
    return StepFormat.STEP_FORMAT_SKETCHVL;
  }
  if (/"type"\s*:/.test(text)) return StepFormat.STEP_FORMAT_JSON;
  return StepFormat.STEP_FORMAT_SKETCHVL;
}
