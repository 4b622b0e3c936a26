// FinePO's knobs (SketchVL §3), their defaults, and the one place they are validated.
// Defaults are argued in services/trainer/README.md ("Defaults and why"); only β = 2 and k = 24
// come from the paper, everything else the paper leaves unknown.
import { AdvantageMode } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import { DEFAULT_RETAIN_BATCHES } from "./actionWindow";

/** Which credit assignment to run: the method and the paper's three ablations. */
export type FinePOMode = "finepo" | "finepo_no_kl" | "grpo" | "random_prm";

export const FINEPO_MODES: readonly FinePOMode[] = ["finepo", "finepo_no_kl", "grpo", "random_prm"];

export interface FinePOSettings {
  readonly mode: FinePOMode;
  /** Eq. 6 redistribution strength: the best step's adjustment is α·|A(y_i)|. 0 ≤ α < 1. */
  readonly alpha: number;
  /** Eq. 8 clip: step advantages stay within [0, β·A] (A > 0) or [β·A, 0] (A ≤ 0). β ≥ 1. */
  readonly beta: number;
  /** Eq. 3 KL strength λ_KL ≥ 0 (0 switches the offset off like finepo_no_kl). */
  readonly lambdaKl: number;
  /** Eq. 3 clip γ ≥ 0: |offset| ≤ γ, in PRM score units. */
  readonly gamma: number;
  /** Eq. 3 frequency smoothing and Eq. 7 denominator guard. ε > 0. */
  readonly epsilon: number;
  /** Sliding window length W in batches for the current action distribution P(a). Integer ≥ 1. */
  readonly windowBatches: number;
  /** Divide Eq. 1's advantage by the group's sample std (GRPO practice; NOT in the paper). */
  readonly normalizeStd: boolean;
}

export const DEFAULT_SETTINGS: FinePOSettings = Object.freeze({
  mode: "finepo",
  alpha: 0.5,
  beta: 2,
  lambdaKl: 0.25,
  gamma: 0.25,
  epsilon: 1e-6,
  windowBatches: 8,
  normalizeStd: false,
});

/** A layer of overrides (run config, request config); `undefined` fields fall through. */
export type SettingsOverrides = { readonly [K in keyof FinePOSettings]?: FinePOSettings[K] | undefined };

/**
 * Layers `overrides` (later wins, undefined fields skipped) on DEFAULT_SETTINGS and validates the
 * result. Errors name the proto field ("config.lambda_kl") so gRPC callers can find it.
 */
export function resolveSettings(...overrides: readonly (SettingsOverrides | undefined)[]): FinePOSettings {
  const s: { -readonly [K in keyof FinePOSettings]: FinePOSettings[K] } = { ...DEFAULT_SETTINGS };
  for (const layer of overrides) {
    if (!layer) continue;
    for (const key of Object.keys(layer) as (keyof FinePOSettings)[]) {
      const value = layer[key];
      if (value !== undefined) (s as Record<string, unknown>)[key] = value;
    }
  }
  validateSettings(s);
  return Object.freeze(s);
}

/** Throws InvalidArgumentError("config.<field>") unless every knob is in its documented range. */
export function validateSettings(s: FinePOSettings): void {
  if (!FINEPO_MODES.includes(s.mode)) {
    throw new InvalidArgumentError("config.mode", `must be one of ${FINEPO_MODES.join(", ")}, got ${String(s.mode)}`);
  }
  number("config.alpha", s.alpha, s.alpha >= 0 && s.alpha < 1, "must satisfy 0 <= alpha < 1");
  number("config.beta", s.beta, s.beta >= 1, "must be >= 1");
  number("config.lambda_kl", s.lambdaKl, s.lambdaKl >= 0, "must be >= 0");
  number("config.gamma", s.gamma, s.gamma >= 0, "must be >= 0");
  number("config.epsilon", s.epsilon, s.epsilon > 0, "must be > 0");
  number(
    "config.window_batches",
    s.windowBatches,
    Number.isInteger(s.windowBatches) && s.windowBatches >= 1 && s.windowBatches <= DEFAULT_RETAIN_BATCHES,
    `must be an integer in [1, ${DEFAULT_RETAIN_BATCHES}] (the batches a run keeps)`,
  );
  if (typeof s.normalizeStd !== "boolean") {
    throw new InvalidArgumentError("config.normalize_std", "must be a boolean");
  }
}

function number(field: string, value: unknown, ok: boolean, rule: string): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new InvalidArgumentError(field, `must be a finite number, got ${String(value)}`);
  }
  if (!ok) throw new InvalidArgumentError(field, `${rule}, got ${value}`);
}

/**
 * The proto enum to the domain mode. UNSPECIFIED gives `undefined`, so in resolveSettings it falls
 * through to the run's mode and finally to DEFAULT_SETTINGS.mode ("finepo", as trainer.proto says).
 */
export function modeFromAdvantageMode(mode: AdvantageMode): FinePOMode | undefined {
  switch (mode) {
    case AdvantageMode.ADVANTAGE_MODE_UNSPECIFIED:
      return undefined;
    case AdvantageMode.ADVANTAGE_MODE_FINEPO:
      return "finepo";
    case AdvantageMode.ADVANTAGE_MODE_FINEPO_NO_KL:
      return "finepo_no_kl";
    case AdvantageMode.ADVANTAGE_MODE_GRPO:
      return "grpo";
    case AdvantageMode.ADVANTAGE_MODE_RANDOM_PRM:
      return "random_prm";
    default:
      throw new InvalidArgumentError("config.mode", `unknown advantage mode ${String(mode)}`);
  }
}

/** The domain mode back to the proto enum (for echoing the resolved config). */
export function advantageModeFromMode(mode: FinePOMode): AdvantageMode {
  switch (mode) {
    case "finepo":
      return AdvantageMode.ADVANTAGE_MODE_FINEPO;
    case "finepo_no_kl":
      return AdvantageMode.ADVANTAGE_MODE_FINEPO_NO_KL;
    case "grpo":
      return AdvantageMode.ADVANTAGE_MODE_GRPO;
    case "random_prm":
      return AdvantageMode.ADVANTAGE_MODE_RANDOM_PRM;
  }
}
