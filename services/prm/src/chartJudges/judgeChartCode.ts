// PrmService.JudgeChartCode: request checks and the contract's enums around a chart judge.
import { ChartErrorCategory, type JudgeChartCodeRequest, type JudgeChartCodeResponse } from "@sketchvl/contract";
import type { ChartErrorCategory as CategoryName } from "@sketchvl/chartworld";
import { type ImageLimits, type ImageStore, resolveImage } from "@sketchvl/drawing";
import { InvalidArgumentError } from "@sketchvl/errors";
import type { ChartJudges } from "./index";

export const CATEGORY: Record<CategoryName, ChartErrorCategory> = {
  structure: ChartErrorCategory.CHART_ERROR_CATEGORY_STRUCTURE,
  data: ChartErrorCategory.CHART_ERROR_CATEGORY_DATA,
  text: ChartErrorCategory.CHART_ERROR_CATEGORY_TEXT,
  style: ChartErrorCategory.CHART_ERROR_CATEGORY_STYLE,
};

export async function judgeChartCode(
  request: JudgeChartCodeRequest,
  judges: ChartJudges,
  store: ImageStore,
  limits: ImageLimits & { maxCodeChars: number },
  signal: AbortSignal,
): Promise<JudgeChartCodeResponse> {
  for (const [field, code] of [
    ["reference_code", request.referenceCode],
    ["predicted_code", request.predictedCode],
  ] as const) {
    if (code.length > limits.maxCodeChars)
      throw new InvalidArgumentError(field, `${code.length} characters; the limit is ${limits.maxCodeChars}`, "LIMIT_EXCEEDED");
  }
  const { name, judge } = judges.get(request.judge);
  const image = async (value: typeof request.referenceImage, field: string) => {
    if (!value) throw new InvalidArgumentError(field, `the ${name} judge compares images: send ${field}`);
    return (await resolveImage(value, field, store, limits)).image;
  };
  const [referenceImage, renderedImage] = judge.needsImages
    ? await Promise.all([image(request.referenceImage, "reference_image"), image(request.renderedImage, "rendered_image")])
    : [undefined, undefined];
  const verdict = await judge.judge({ referenceCode: request.referenceCode, predictedCode: request.predictedCode, referenceImage, renderedImage }, signal);
  return {
    errors: verdict.errors.map((e) => ({ ...e, category: CATEGORY[e.category] })),
    parsed: verdict.parsed,
    judge: name,
    rawOutput: verdict.rawOutput,
  };
}
