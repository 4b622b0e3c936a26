// The trainer's use case: a ComputeAdvantagesRequest in, its answer out. Resolves the layered
// config (service → run → request), the prior and the KL window, runs FinePO (finepo/), records
// the group's actions in the run's window, and answers a retried request id with the same answer.
import {
  ComputeAdvantagesRequest,
  type ComputeAdvantagesResponse,
  type ConfigureRunRequest,
  type ConfigureRunResponse,
  type FinePOConfig,
  type MemberAdvantages,
} from "@sketchvl/contract";
import { IdempotencyCache } from "@sketchvl/runtime";
import { InvalidArgumentError } from "@sketchvl/errors";
import {
  type ActionDistribution,
  advantageModeFromMode,
  computeGroupAdvantages,
  countActionKinds,
  DEFAULT_RUN_ID,
  MAX_RUN_ID_LENGTH,
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
  idempotencyBytes: number;
  /** The largest answer that fits one gRPC message (the server's send limit). */
  maxAnswerBytes: number;
}

/** Rough memory of a remembered answer (JS numbers in arrays): token arrays dominate. */
function answerBytes(answer: ComputeAdvantagesResponse): number {
  return answer.members.reduce((n, m) => n + 12 * m.tokenAdvantages.length + 4 * m.lossMask.length + 120 * m.steps.length + 200, 0);
}

export class AdvantageEngine {
  private readonly answers: IdempotencyCache<ComputeAdvantagesResponse>;

  constructor(
    private readonly registry: RunRegistry,
    private readonly runConfigs: RunConfigs,
    private readonly serviceDefaults: SettingsOverrides,
    private readonly servicePrior: ActionDistribution,
    private readonly limits: EngineLimits,
  ) {
    this.answers = new IdempotencyCache({ maxEntries: limits.idempotencyEntries, maxBytes: limits.idempotencyBytes, sizeOf: answerBytes });
  }

  /** Idempotent by request id: a retry gets the same answer and counts the group's actions once. */
  compute(request: ComputeAdvantagesRequest): Promise<ComputeAdvantagesResponse> {
    const encoded = request.requestId ? ComputeAdvantagesRequest.encode(request).finish() : new Uint8Array();
    return this.answers.run(request.requestId, encoded, async () => this.computeOnce(request));
  }

  private computeOnce(request: ComputeAdvantagesRequest): ComputeAdvantagesResponse {
    const requestId = request.requestId;
    if (request.members.length > this.limits.maxGroupSize) {
      throw new InvalidArgumentError("members", `${request.members.length} responses; the limit is ${this.limits.maxGroupSize}`, "LIMIT_EXCEEDED");
    }
    const runId = validRunId(request.runId);
    const tokens = request.members.reduce((sum, m) => sum + (m.tokenCount ?? 0), 0);
    // The answer carries ~5 bytes a token on the wire (float32 + bool); it must fit one message.
    if (tokens * 5 > this.limits.maxAnswerBytes) {
      throw new InvalidArgumentError(
        "members",
        `${tokens} completion tokens in the group: the token arrays would exceed ${this.limits.maxAnswerBytes} bytes; send fewer responses per request`,
      );
    }
    const explicitCurrent = request.current.length > 0;
    // A batch index far behind the run's newest is a resume: the window rewinds (runRegistry.ts).
    if (!explicitCurrent) this.registry.prepare(runId, request.batchIndex);
    const run = this.runConfigs.get(runId);
    const settings = resolveSettings(this.serviceDefaults, run?.overrides, overridesFrom(request.config));
    const prior = request.prior.length > 0 ? distributionFromFrequencies(request.prior, "prior") : (run?.prior ?? this.servicePrior);
    const current = explicitCurrent
      ? distributionFromFrequencies(request.current, "current")
      : this.registry.currentDistribution(runId, request.batchIndex, settings.windowBatches);
    const members = request.members.map((m, i) => this.memberInput(m, i));

    const result = computeGroupAdvantages({ members }, settings, { prior, current, seed: requestId });
    // A caller that keeps the window itself (sends `current`) leaves no state here.
    // Without a request id the group is counted but never deduplicated (nothing kept for it).
    if (!explicitCurrent) this.registry.record(runId, request.batchIndex, countActionKinds(members), requestId);

    const response: ComputeAdvantagesResponse = {
      requestId,
      members: result.members.map(memberAdvantages),
      prior: distributionToFrequencies(result.prior),
      current: distributionToFrequencies(result.current),
      config: configFrom(result.settings),
    };
    return response;
  }

  configureRun(request: ConfigureRunRequest): ConfigureRunResponse {
    const runId = validRunId(request.runId);
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
      throw new InvalidArgumentError(`members[${i}].token_count`, `${m.tokenCount} tokens; the limit is ${this.limits.maxTokens}`, "LIMIT_EXCEEDED");
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
}

function validRunId(runId: string): string {
  if (runId.length > MAX_RUN_ID_LENGTH)
    throw new InvalidArgumentError("run_id", `must be at most ${MAX_RUN_ID_LENGTH} characters, got ${runId.length}`, "LIMIT_EXCEEDED");
  return runId || DEFAULT_RUN_ID;
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
