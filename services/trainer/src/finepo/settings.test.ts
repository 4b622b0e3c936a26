import assert from "node:assert/strict";
import { test } from "node:test";
import { AdvantageMode } from "@sketchvl/contract";
import { advantageModeFromMode, DEFAULT_SETTINGS, FINEPO_MODES, modeFromAdvantageMode, resolveSettings } from "./settings";
import { throwsField } from "./testHelpers";

test("defaults: beta = 2 as in the paper, everything in range", () => {
  const s = resolveSettings();
  assert.deepEqual(s, DEFAULT_SETTINGS);
  assert.equal(s.beta, 2);
  assert.equal(s.mode, "finepo");
  assert.equal(s.normalizeStd, false);
});

test("layers: later overrides win, undefined falls through", () => {
  const run = { alpha: 0.3, windowBatches: 4 };
  const request = { alpha: 0.7, windowBatches: undefined, mode: "grpo" as const };
  const s = resolveSettings(run, undefined, request);
  assert.equal(s.alpha, 0.7);
  assert.equal(s.windowBatches, 4);
  assert.equal(s.mode, "grpo");
  assert.equal(s.beta, 2);
});

test("each out-of-range knob names its proto field", () => {
  throwsField(() => resolveSettings({ alpha: 1 }), "config.alpha");
  throwsField(() => resolveSettings({ alpha: -0.1 }), "config.alpha");
  throwsField(() => resolveSettings({ alpha: Number.NaN }), "config.alpha");
  throwsField(() => resolveSettings({ beta: 0.99 }), "config.beta");
  throwsField(() => resolveSettings({ beta: Number.POSITIVE_INFINITY }), "config.beta");
  throwsField(() => resolveSettings({ lambdaKl: -1 }), "config.lambda_kl");
  throwsField(() => resolveSettings({ gamma: -0.01 }), "config.gamma");
  throwsField(() => resolveSettings({ epsilon: 0 }), "config.epsilon");
  throwsField(() => resolveSettings({ windowBatches: 0 }), "config.window_batches");
  throwsField(() => resolveSettings({ windowBatches: 2.5 }), "config.window_batches");
  throwsField(() => resolveSettings({ mode: "ppo" as never }), "config.mode");
  throwsField(() => resolveSettings({ normalizeStd: 1 as never }), "config.normalize_std");
});

test("boundary values are accepted", () => {
  const s = resolveSettings({ alpha: 0, beta: 1, lambdaKl: 0, gamma: 0, windowBatches: 1 });
  assert.equal(s.alpha, 0);
});

test("proto mode mapping round-trips; UNSPECIFIED falls through to the default", () => {
  for (const mode of FINEPO_MODES) assert.equal(modeFromAdvantageMode(advantageModeFromMode(mode)), mode);
  assert.equal(modeFromAdvantageMode(AdvantageMode.ADVANTAGE_MODE_UNSPECIFIED), undefined);
  assert.equal(resolveSettings({ mode: modeFromAdvantageMode(AdvantageMode.ADVANTAGE_MODE_UNSPECIFIED) }).mode, "finepo");
  throwsField(() => modeFromAdvantageMode(AdvantageMode.UNRECOGNIZED), "config.mode");
});
