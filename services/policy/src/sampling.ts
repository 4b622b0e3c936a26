// SamplingParams checked against the ranges the contract states (policy.proto), with the model's
// defaults filled in. A bad field is INVALID_ARGUMENT naming it and its range.
import type { SamplingParams } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";

export interface Sampling {
  groupSize: number;
  maxTurns: number;
  maxTokensPerTurn: number;
  /** 0 = greedy. */
  temperature: number;
  topP: number;
  /** The group's seed (a random one when the request gave none). */
  seed: number;
}

export const LIMITS = {
  groupSize: 64,
  maxTurns: 8,
  maxTokensPerTurn: 512,
  temperature: 4,
} as const;

function count(value: number, field: string, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max)
    throw new InvalidArgumentError(`sampling.${field}`, `${value} is out of range: 1..${max} (0 = default)`);
}

export function resolveSampling(params: SamplingParams | undefined, defaults: { maxTurns: number; maxTokensPerTurn: number }): Sampling {
  const p = params ?? { groupSize: 0, maxTurns: 0, maxTokensPerTurn: 0 };
  count(p.groupSize, "group_size", LIMITS.groupSize);
  count(p.maxTurns, "max_turns", LIMITS.maxTurns);
  count(p.maxTokensPerTurn, "max_tokens_per_turn", LIMITS.maxTokensPerTurn);
  const temperature = p.temperature ?? 1;
  if (!(temperature >= 0 && temperature <= LIMITS.temperature)) {
    throw new InvalidArgumentError("sampling.temperature", `${temperature} is out of range: 0 (greedy) or 0 < temperature <= ${LIMITS.temperature}`);
  }
  const topP = p.topP ?? 1;
  if (!(topP > 0 && topP <= 1)) throw new InvalidArgumentError("sampling.top_p", `${topP} is out of range: 0 < top_p <= 1`);
  const seed = p.seed ?? Math.floor(Math.random() * 2 ** 52);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new InvalidArgumentError("sampling.seed", `${seed} is out of range: 0..${Number.MAX_SAFE_INTEGER}`);
  return {
    groupSize: p.groupSize || 1,
    maxTurns: p.maxTurns || Math.min(defaults.maxTurns, LIMITS.maxTurns),
    maxTokensPerTurn: p.maxTokensPerTurn || Math.min(defaults.maxTokensPerTurn, LIMITS.maxTokensPerTurn),
    temperature,
    topP,
    seed,
  };
}
