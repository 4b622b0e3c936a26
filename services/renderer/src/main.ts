// The renderer service: draws actions on images and parses policy output. Wiring only.
import { RendererServiceDefinition } from "@sketchvl/contract";
import { DrawingThreads, ImageStore } from "@sketchvl/drawing";
import { exitOnSignals, imageLimitsOf, loadConfigOrExit, startServer, WorkBudget } from "@sketchvl/runtime";
import { rendererOptions } from "./config";
import { ChartSandbox } from "./chartSandbox/chartSandbox";
import { rendererHandlers } from "./handlers";

async function main() {
  const config = loadConfigOrExit("renderer", rendererOptions);
  // Shared memory: the drawing threads read stored images without a copy.
  const store = new ImageStore(config.storeBytes, { sharedMemory: true });
  const threads = new DrawingThreads(config.drawThreads);
  const budget = new WorkBudget(config.workBudgetBytes, "--work-budget-bytes", "renderer");
  const sandbox = new ChartSandbox({
    workers: config.chartSandboxWorkers,
    timeoutMs: config.chartSandboxTimeoutMs,
    memoryMb: config.chartSandboxMemoryMb,
    maxQueue: config.chartSandboxQueue,
    maxPixels: config.maxPixels,
    maxSvgBytes: config.maxChartSvgBytes,
  });
  const server = await startServer({
    name: "renderer",
    config,
    services: [
      {
        definition: RendererServiceDefinition,
        implementation: rendererHandlers({
          store,
          limits: {
            ...imageLimitsOf(config),
            maxActions: config.maxActions,
            maxTrajectories: config.maxTrajectories,
            maxTextChars: config.maxTextChars,
            maxChartCodeChars: config.maxChartCodeChars,
          },
          threads,
          budget,
          sandbox,
        }),
      },
    ],
    onShutdown: () => Promise.all([threads.close(), sandbox.close()]).then(() => undefined),
  });
  exitOnSignals(server);
}

void main();
