#!/usr/bin/env node
// Checks a running service container from outside, over real gRPC, with the repo's compiled
// packages (run `npm run build` first):
//   node infra/docker/smoke.mjs renderer 127.0.0.1:50051
//   node infra/docker/smoke.mjs trainer 127.0.0.1:50052
// Both: readiness (the service name) and liveness ("") are SERVING. Renderer: Text marks are drawn
// with a real font (the image has DejaVu). Trainer: ConfigureRun succeeds, which writes
// <state-dir>/<run>.config.json (the state volume is writable by the non-root user).
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(join(repo, "package.json"));
const { waitUntilServing } = require(join(repo, "packages/launcher/dist/index.js"));
const { createMeshChannel, createMeshClient } = require(join(repo, "packages/runtime/dist/index.js"));
const contract = require(join(repo, "packages/contract/dist/index.js"));

const [name, address] = process.argv.slice(2);
const serviceNames = { renderer: "sketchvl.v1.RendererService", trainer: "sketchvl.v1.TrainerService" };
if (!serviceNames[name] || !address) {
  console.error("usage: smoke.mjs renderer|trainer HOST:PORT");
  process.exit(2);
}

const started = Date.now();
await waitUntilServing(address, serviceNames[name], 30_000); // readiness
await waitUntilServing(address, "", 5_000); // liveness
console.log(`${name} at ${address}: ${serviceNames[name]} and "" SERVING after ${Date.now() - started} ms`);

const channel = createMeshChannel(address);
try {
  if (name === "renderer") {
    // A real proportional font draws "WWWW" far wider than "iiii"; without fonts, pango draws
    // same-size hex boxes for every character (plenty of ink, so counting dark pixels proves nothing).
    const client = createMeshClient(contract.RendererServiceDefinition, channel, { deadlineMs: 10_000 });
    const inkWidth = async (text) => {
      const [width, height] = [400, 80];
      const white = { width, height, channels: 3, pixels: Buffer.alloc(width * height * 3, 255) };
      const out = await client.render({
        image: { source: { $case: "raw", value: white } },
        actions: [{
          kind: { $case: "text", value: { at: { x: 20, y: 200 }, text } },
          color: "black",
          space: contract.CoordinateSpace.COORDINATE_SPACE_NORM_1000,
        }],
        outputFormat: contract.ImageFormat.IMAGE_FORMAT_RAW,
      });
      const { pixels, channels } = out.image.image.source.value;
      let [min, max] = [width, -1];
      for (let i = 0; i < pixels.length; i += channels) {
        if (pixels[i] + pixels[i + 1] + pixels[i + 2] >= 384) continue;
        const x = (i / channels) % width;
        [min, max] = [Math.min(min, x), Math.max(max, x)];
      }
      return max < 0 ? 0 : max - min + 1;
    };
    const [wide, narrow] = [await inkWidth("WWWW"), await inkWidth("iiii")];
    if (!(narrow > 0 && wide > 2 * narrow)) {
      throw new Error(`Text marks: "WWWW" is ${wide} px wide, "iiii" ${narrow} px: no real font in the image`);
    }
    console.log(`renderer: Text marks use a real font ("WWWW" ${wide} px wide, "iiii" ${narrow} px)`);
  } else {
    const client = createMeshClient(contract.TrainerServiceDefinition, channel, { deadlineMs: 10_000 });
    const runId = `smoke-${process.pid}`;
    const res = await client.configureRun({ runId, prior: [] });
    console.log(`trainer: ConfigureRun(${res.runId}) persisted (state dir writable)`);
  }
} finally {
  channel.close();
}
