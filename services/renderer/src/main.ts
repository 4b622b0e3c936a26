// The renderer service: draws actions on images and parses policy output. Wiring only.
import { RendererServiceDefinition } from "@sketchvl/contract";
import { DrawingThreads, ImageStore } from "@sketchvl/drawing";
import { exitOnSignals, imageLimitsOf, loadConfigOrExit, startServer, WorkBudget } from "@sketchvl/runtime";
import { rendererOptions } from "./config";
import { rendererHandlers } from "./handlers";

async function main() {
  const config = loadConfigOrExit("renderer", rendererOptions);
  // Shared memory: the drawing threads read stored images without a copy.
  const store = new ImageStore(config.storeBytes, { sharedMemory: true });
  const threads = new DrawingThreads(config.drawThreads);
  const budget = new WorkBudget(config.workBudgetBytes, "--work-budget-bytes", "renderer");
  const server = await startServer({
    name: "renderer",
    config,
    services: [
      {
        definition: RendererServiceDefinition,
        implementation: rendererHandlers({
          store,
          limits: { ...imageLimitsOf(config), maxActions: config.maxActions, maxTextChars: config.maxTextChars },
          threads,
          budget,
        }),
      },
    ],
    onShutdown: () => threads.close(),
  });
  exitOnSignals(server);
}

void main();
