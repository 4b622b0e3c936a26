import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { ConfigError, helpText, loadConfig, serverOptions } from "./config";

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
      (err: unknown) =>
        err instanceof ConfigError && /invalid port \(RENDERER_PORT="70000"\)/.test(err.message) && !err.message.includes("\n"),
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
