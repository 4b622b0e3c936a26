// The renderer's options (flags / RENDERER_* environment / defaults); `--help` lists them.
import { serverOptions } from "@sketchvl/runtime";
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();

export const rendererOptions = {
  ...serverOptions(50051),
  maxPixels: {
    schema: positiveInt.default(40_000_000),
    doc: "largest image in pixels, checked from the header before decoding (decompression bombs)",
  },
  maxBytes: { schema: positiveInt.default(32 * 1024 * 1024), doc: "largest encoded image in bytes" },
  maxActions: { schema: positiveInt.default(256), doc: "most actions in one Render call or steps in one RenderTrajectory call" },
  maxTextChars: { schema: positiveInt.default(1_000_000), doc: "longest response text ParseSteps accepts, in characters (Unicode code points)" },
  storeBytes: {
    schema: positiveInt.default(512 * 1024 * 1024),
    doc: "memory for images kept by digest (decoded pixels); least recently used are evicted",
  },
};
