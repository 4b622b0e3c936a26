// RendererService.RenderChartCode: chart code in, a status and (when it drew something) the image
// out, kept by digest like every image the renderer returns. A render that fails is answered with
// its status, never as a gRPC error: the caller scores it 0 and the mesh has nothing to retry.
import { ChartRenderStatus, ImageFormat, type RenderChartCodeRequest, type RenderChartCodeResponse } from "@sketchvl/contract";
import { type ImageStore, outputImage } from "@sketchvl/drawing";
import { InvalidArgumentError } from "@sketchvl/errors";
import type { WorkBudget } from "@sketchvl/runtime";
import type { ChartSandbox, RenderOutcome } from "./chartSandbox";

const STATUS: Record<RenderOutcome["status"], ChartRenderStatus> = {
  ok: ChartRenderStatus.CHART_RENDER_STATUS_OK,
  blank: ChartRenderStatus.CHART_RENDER_STATUS_BLANK,
  "invalid-spec": ChartRenderStatus.CHART_RENDER_STATUS_INVALID_SPEC,
  "forbidden-io": ChartRenderStatus.CHART_RENDER_STATUS_FORBIDDEN_IO,
  "too-large": ChartRenderStatus.CHART_RENDER_STATUS_TOO_LARGE,
  timeout: ChartRenderStatus.CHART_RENDER_STATUS_TIMEOUT,
  "memory-limit": ChartRenderStatus.CHART_RENDER_STATUS_MEMORY_LIMIT,
};

export async function renderChartCode(
  request: RenderChartCodeRequest,
  sandbox: ChartSandbox,
  store: ImageStore,
  { maxCodeChars, budget }: { maxCodeChars: number; budget: WorkBudget },
): Promise<RenderChartCodeResponse> {
  if (request.code.length > maxCodeChars) {
    throw new InvalidArgumentError("code", `${request.code.length} characters; the limit is ${maxCodeChars}`, "LIMIT_EXCEEDED");
  }
  if (request.code.trim() === "") {
    return { status: ChartRenderStatus.CHART_RENDER_STATUS_NO_CODE, detail: "no code", image: undefined, renderMs: 0 };
  }
  const started = performance.now();
  const outcome = await sandbox.render(request.code);
  const renderMs = performance.now() - started;
  if (!("pixels" in outcome)) return { status: STATUS[outcome.status], detail: outcome.detail, image: undefined, renderMs };
  const raster = {
    width: outcome.width,
    height: outcome.height,
    channels: 3 as const,
    pixels: Buffer.from(outcome.pixels.buffer, outcome.pixels.byteOffset, outcome.pixels.byteLength),
  };
  // The pixels and their encoding count against the renderer's working memory like a drawing's.
  const reservation = budget.reserve(2 * raster.pixels.length, "code");
  const format = request.outputFormat === ImageFormat.IMAGE_FORMAT_UNSPECIFIED ? ImageFormat.IMAGE_FORMAT_PNG : request.outputFormat;
  // A patch needs an image it was drawn on; a rendered chart has none, so it comes back as PNG.
  const image = await outputImage(raster, format === ImageFormat.IMAGE_FORMAT_PATCH ? ImageFormat.IMAGE_FORMAT_PNG : format, store).finally(() =>
    reservation.release(),
  );
  const detail = outcome.status === "blank" ? "the chart drew nothing: one colour everywhere" : "";
  return { status: STATUS[outcome.status], detail, image, renderMs };
}
