// The renderer service: draws actions on images and parses policy output. Wiring only.
import { RendererServiceDefinition } from "@sketchvl/contract";
import { exitOnSignals, loadConfigOrExit, startServer } from "@sketchvl/runtime";
import { rendererOptions } from "./config";
import { rendererHandlers } from "./handlers";
import { ImageStore } from "@sketchvl/drawing";

async function main() {
  const config = loadConfigOrExit("renderer", rendererOptions);
  const store = new ImageStore(config.storeBytes);
  const server = await startServer({
    name: "renderer",
    config,
    services: [{ definition: RendererServiceDefinition, implementation: rendererHandlers(store, config) }],
  });
  exitOnSignals(server);
}

void main();
