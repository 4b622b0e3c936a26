import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "@sketchvl/runtime";
import { rewardOptions } from "./config";

test("--http-request-timeout-ms: under OpenRLHF's 180 s by default, validated, settable by flag or environment", () => {
  assert.equal(loadConfig("reward", rewardOptions, [], {}).httpRequestTimeoutMs, 170_000);
  assert.equal(loadConfig("reward", rewardOptions, ["--http-request-timeout-ms", "5000"], {}).httpRequestTimeoutMs, 5000);
  assert.equal(loadConfig("reward", rewardOptions, [], { REWARD_HTTP_REQUEST_TIMEOUT_MS: "9000" }).httpRequestTimeoutMs, 9000);
  for (const bad of ["0", "-1", "1.5", "soon", "3600001"]) {
    assert.throws(
      () => loadConfig("reward", rewardOptions, ["--http-request-timeout-ms", bad], {}),
      (e: unknown) => e instanceof ConfigError && /http-request-timeout-ms/.test(e.message),
      bad,
    );
  }
});
