import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { ConfigError, helpText, imageLimitOptions, imageLimitsOf, loadConfig, serverOptions } from "./config";

const options = {
  ...serverOptions(50051),
  maxPixels: { schema: z.coerce.number().int().positive().default(1000), doc: "largest image" },
};

describe("loadConfig", () => {
  it("takes documented defaults when nothing is given", () => {
    const config = loadConfig("renderer", options, [], {});
    assert.equal(config.port, 50051);
    assert.equal(config.host, "0.0.0.0");
    assert.equal(config.maxPixels, 1000);
    assert.equal(config.logLevel, "info");
  });

  it("reads <SERVICE>_<KEY> from the environment and lets a flag win over it", () => {
    const env = { RENDERER_PORT: "6000", RENDERER_MAX_PIXELS: "42" };
    assert.equal(loadConfig("renderer", options, [], env).port, 6000);
    assert.equal(loadConfig("renderer", options, [], env).maxPixels, 42);
    assert.equal(loadConfig("renderer", options, ["--port", "7000"], env).port, 7000);
    assert.equal(loadConfig("renderer", options, ["--max-pixels=7"], env).maxPixels, 7);
  });

  it("lets SKETCHVL_<KEY> set an option for every service, below the service's own variable", () => {
    assert.equal(loadConfig("renderer", options, [], { SKETCHVL_LOG_LEVEL: "warn" }).logLevel, "warn");
    assert.equal(loadConfig("renderer", options, [], { SKETCHVL_LOG_LEVEL: "warn", RENDERER_LOG_LEVEL: "debug" }).logLevel, "debug");
  });

  it("rejects a bad value with one line naming the option, its source and the problem", () => {
    assert.throws(
      () => loadConfig("renderer", options, [], { RENDERER_PORT: "70000" }),
      (err: unknown) => err instanceof ConfigError && /invalid port \(RENDERER_PORT="70000"\)/.test(err.message) && !err.message.includes("\n"),
    );
    assert.throws(
      () => loadConfig("renderer", options, ["--max-pixels", "lots"], {}),
      (err: unknown) => err instanceof ConfigError && err.message.includes('invalid maxPixels (--max-pixels="lots")'),
    );
    assert.throws(
      () => loadConfig("renderer", options, ["--log-level", "loud"], {}),
      (err: unknown) => err instanceof ConfigError && err.message.startsWith("invalid logLevel"),
    );
  });

  it("rejects unknown flags", () => {
    assert.throws(() => loadConfig("renderer", options, ["--prot", "1"], {}), ConfigError);
  });

  it("documents every option with its flag, variable and default", () => {
    const help = helpText("renderer", options);
    assert.match(help, /--max-pixels {2}RENDERER_MAX_PIXELS {2}1000/);
    assert.match(help, /--shutdown-grace-ms {2}RENDERER_SHUTDOWN_GRACE_MS {2}10000/);
  });
});

describe("imageLimitOptions", () => {
  const imageOptions = { ...serverOptions(50055), ...imageLimitOptions({ subject: "prompt image", storeBytes: 4096, storeDoc: "memory for prompt images" }) };

  it("declares --max-pixels, --max-bytes and --store-bytes with shared defaults and the service's store size", () => {
    const config = loadConfig("reward", imageOptions, [], {});
    assert.equal(config.maxPixels, 40_000_000);
    assert.equal(config.maxBytes, 32 * 1024 * 1024);
    assert.equal(config.storeBytes, 4096);
    assert.equal(loadConfig("reward", imageOptions, ["--max-pixels", "9"], { SKETCHVL_MAX_BYTES: "10" }).maxBytes, 10);
    assert.match(helpText("reward", imageOptions), /--max-pixels[\s\S]*largest prompt image in pixels/);
  });

  it("refuses a limit that is not a positive integer, naming the option", () => {
    assert.throws(
      () => loadConfig("reward", imageOptions, ["--max-bytes", "0"], {}),
      (e: unknown) => e instanceof ConfigError && /max-bytes/.test(e.message),
    );
  });

  it("imageLimitsOf hands domain code the two limits and nothing else of the config", () => {
    const config = loadConfig("reward", imageOptions, ["--max-pixels", "9"], {});
    assert.deepEqual(imageLimitsOf(config), { maxPixels: 9, maxBytes: 32 * 1024 * 1024 });
  });
});
