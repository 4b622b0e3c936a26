// The trainer's use case: a ComputeAdvantagesRequest in, its answer out. Resolves the layered
// config (service → run → request), the prior and the KL window, runs FinePO (finepo/), records
// the group's actions in the run's window, and answers a retried request id with the same answer.
import { createHash, randomUUID } from "node:crypto";
import {
  ComputeAdvantagesRequest,
  type ComputeAdvantagesResponse,
  type ConfigureRunRequest,
  type ConfigureRunResponse,
  type FinePOConfig,
  type MemberAdvantages,
} from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/runtime/errors";
import {
  type ActionDistribution,
  advantageModeFromMode,
  computeGroupAdvantages,
  countActionKinds,
  DEFAULT_RUN_ID,
  distributionFromFrequencies,
  distributionToFrequencies,
  type FinePOSettings,
  type MemberInput,
  type MemberResult,
  modeFromAdvantageMode,
  resolveSettings,
  type RunRegistry,
  type SettingsOverrides,
} from "./finepo";
import type { RunConfigs } from "./runConfigs";

export interface EngineLimits {
  maxGroupSize: number;
  maxTokens: number;
  idempotencyEntries: number;
}

interface Remembered {
  fingerprint: string;
  response: ComputeAdvantagesResponse;
}

export class AdvantageEngine {
  private readonly answers = new Map<string, Remembered>();

  constructor(
    private readonly registry: RunRegistry,
    private readonly runConfigs: RunConfigs,
    private readonly serviceDefaults: SettingsOverrides,
    private readonly servicePrior: ActionDistribution,
    private readonly limits: EngineLimits,
  ) {}

  compute(request: ComputeAdvantagesRequest): ComputeAdvantagesResponse {
    const requestId = request.requestId;
    // Idempotency: RL clients retry on any error, so the same request can arrive twice. The id
    // must mean the same request: a different payload under a used id is refused, not answered.
    const fingerprint = requestId ? createHash("sha256").update(ComputeAdvantagesRequest.encode(request).finish()).digest("hex") : "";
    const remembered = requestId ? this.answers.get(requestId) : undefined;
    if (remembered) {
      if (remembered.fingerprint !== fingerprint) {
        throw new InvalidArgumentError("request_id", `"${requestId}" was already used for a different request`);
      }
      return remembered.response;
    }

    if (request.members.length > this.limits.maxGroupSize) {
      throw new InvalidArgumentError("members", `${request.members.length} responses; the limit is ${this.limits.maxGroupSize}`);
    }
    const runId = request.runId || DEFAULT_RUN_ID;
    const run = this.runConfigs.get(runId);
    const settings = resolveSettings(this.serviceDefaults, run?.overrides, overridesFrom(request.config));
    const prior = request.prior.length > 0 ? distributionFromFrequencies(request.prior, "prior") : (run?.prior ?? this.servicePrior);
    const current =
      request.current.length > 0
        ? distributionFromFrequencies(request.current, "current")
        : this.registry.currentDistribution(runId, request.batchIndex, settings.windowBatches);
    const members = request.members.map((m, i) => this.memberInput(m, i));

    const result = computeGroupAdvantages({ members }, settings, { prior, current, seed: requestId });
    this.registry.record(runId, request.batchIndex, countActionKinds(members), requestId || randomUUID());

    const response: ComputeAdvantagesResponse = {
      requestId,
      members: result.members.map(memberAdvantages),
      prior: distributionToFrequencies(result.prior),
      current: distributionToFrequencies(result.current),
      config: configFrom(result.settings),
    };
    if (requestId) this.remember(requestId, { fingerprint, response });
    return response;
  }

  configureRun(request: ConfigureRunRequest): ConfigureRunResponse {
    const runId = request.runId || DEFAULT_RUN_ID;
    const overrides = overridesFrom(request.config);
    resolveSettings(this.serviceDefaults, overrides); // validate before keeping
    const prior = request.prior.length > 0 ? distributionFromFrequencies(request.prior, "prior") : undefined;
    this.runConfigs.set(runId, { overrides, prior });
    return {
      runId,
      config: configFrom(resolveSettings(this.serviceDefaults, overrides)),
      prior: distributionToFrequencies(prior ?? this.servicePrior),
    };
  }

  private memberInput(m: ComputeAdvantagesRequest["members"][number], i: number): MemberInput {
    if (m.tokenCount !== undefined && m.tokenCount > this.limits.maxTokens) {
      throw new InvalidArgumentError(`members[${i}].token_count`, `${m.tokenCount} tokens; the limit is ${this.limits.maxTokens}`);
    }
    return {
      reward: m.reward,
      tokenCount: m.tokenCount,
      imageTokenSpans: m.imageTokenSpans,
      steps: m.steps.map((s) => ({
        kind: s.actionKind,
        score: s.score,
        // proto3: 0 means "not set" for token_length.
        tokenLength: s.tokenLength === 0 ? undefined : s.tokenLength,
        tokenSpan: s.tokenSpan,
      })),
    };
  }

  private remember(requestId: string, entry: Remembered): void {
    if (this.limits.idempotencyEntries === 0) return;
    this.answers.set(requestId, entry);
    if (this.answers.size > this.limits.idempotencyEntries) {
      this.answers.delete(this.answers.keys().next().value as string);
    }
  }
}

function overridesFrom(config: FinePOConfig | undefined): SettingsOverrides {
  if (!config) return {};
  return {
    mode: modeFromAdvantageMode(config.mode),
    alpha: config.alpha,
    beta: config.beta,
    lambdaKl: config.lambdaKl,
    gamma: config.gamma,
    epsilon: config.epsilon,
    windowBatches: config.windowBatches,
    normalizeStd: config.normalizeStd,
  };
}

function configFrom(s: FinePOSettings): FinePOConfig {
  return {
    mode: advantageModeFromMode(s.mode),
    alpha: s.alpha,
    beta: s.beta,
    lambdaKl: s.lambdaKl,
    gamma: s.gamma,
    epsilon: s.epsilon,
    windowBatches: s.windowBatches,
    normalizeStd: s.normalizeStd,
  };
}

function memberAdvantages(m: MemberResult): MemberAdvantages {
  return {
    coarseAdvantage: m.coarseAdvantage,
    kappa: m.kappa,
    meanAdjustedScore: m.meanAdjustedScore,
    steps: m.steps.map((s) => ({
      score: s.score,
      klOffset: s.klOffset,
      adjustedScore: s.adjustedScore,
      deviation: s.deviation,
      unclippedAdvantage: s.unclippedAdvantage,
      advantage: s.advantage,
      excluded: s.excluded,
    })),
    tokenAdvantages: m.tokenAdvantages ? Array.from(m.tokenAdvantages) : [],
    lossMask: m.lossMask ? Array.from(m.lossMask, (v) => v === 1) : [],
  };
}
