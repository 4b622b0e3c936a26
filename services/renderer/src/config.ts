// The renderer's options (flags / RENDERER_* environment / defaults); `--help` lists them.
import { availableParallelism } from "node:os";
import { imageLimitOptions, serverOptions } from "@sketchvl/runtime";
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();

export const rendererOptions = {
  ...serverOptions(50051),
  ...imageLimitOptions({
    storeBytes: 512 * 1024 * 1024,
    storeDoc: "memory for images kept by digest (decoded pixels); least recently used are evicted",
  }),
  maxActions: { schema: positiveInt.default(256), doc: "most actions in one Render call or steps in one RenderTrajectory call" },
  maxTrajectories: { schema: positiveInt.default(256), doc: "most trajectories in one RenderTrajectories call (a group's rollouts)" },
  maxTextChars: { schema: positiveInt.default(1_000_000), doc: "longest response text ParseSteps accepts, in characters (Unicode code points)" },
  workBudgetBytes: {
    schema: positiveInt.default(1024 * 1024 * 1024),
    doc:
      "working memory of the calls in flight (decoding, drawing, encoding; each call's own estimate): a call beyond it is refused " +
      "at once with RESOURCE_EXHAUSTED, one that could never fit with INVALID_ARGUMENT. With --store-bytes, what bounds the RSS",
  },
  chartSandboxWorkers: { schema: positiveInt.default(1), doc: "RenderChartCode: sandbox worker threads rendering chart code at once" },
  chartSandboxTimeoutMs: { schema: positiveInt.default(10_000), doc: "RenderChartCode: wall-clock limit of one render; then TIMEOUT" },
  chartSandboxMemoryMb: { schema: positiveInt.default(256), doc: "RenderChartCode: V8 heap limit of a sandbox worker; past it, MEMORY_LIMIT" },
  chartSandboxQueue: { schema: positiveInt.default(256), doc: "RenderChartCode: renders waiting for a sandbox worker; beyond it, RESOURCE_EXHAUSTED" },
  maxChartCodeChars: { schema: positiveInt.default(200_000), doc: "RenderChartCode: longest chart code accepted" },
  maxChartSvgBytes: {
    schema: positiveInt.default(16 * 1024 * 1024),
    doc: "RenderChartCode: largest SVG a chart may draw before rasterizing; beyond it, TOO_LARGE",
  },
  drawThreads: {
    schema: positiveInt.default(availableParallelism()),
    doc: "threads that draw (blending marks is JavaScript, kept off the event loop so health checks and rejections answer at once)",
  },
};
