// A group's answer from its scored responses: outcome rewards, FinePO advantages (trainer) over
// the responses that were scored, and the three views callers consume — per-step records, dense
// per-token arrays, and per-response scalars. Masked responses take no part in the group; their
// token arrays still have one entry per token (advantage 0, loss mask false, process score 0), so
// a trainer stacks a group's arrays into (n, length) tensors with no special case and the loss
// mask alone keeps them out of the loss.
import {
  actionKindOf,
  FailureKind,
  type GroupMember,
  isAcceptableOrBetter,
  type MemberAdvantages,
  PrmLabel,
  type ResponseReward,
  type ScoreGroupRequest,
  type StepRecord,
  type TokenSpan,
} from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import type { MeshClients } from "./meshClients";
import { gradeOutcome } from "./outcome";
import type { ImageSize } from "./rewardMap";
import type { ResponseWork } from "./responsePipeline";
import { normalizeAnswer } from "./responseText";
import { tokenSpanOf } from "./tokens";

function processScore(work: ResponseWork, j: number, useArgmax: boolean): number {
  const s = work.scores[j];
  return s ? (useArgmax ? s.argmaxScore : s.expectedScore) : 0;
}

const masked = (w: ResponseWork) => w.failure !== undefined && w.failure.kind !== FailureKind.FAILURE_KIND_FORMAT;

export interface AssembleOptions {
  /** FinePO advantages from the trainer (default). Off for callers that read none (OpenRLHF's HTTP). */
  advantages?: boolean;
  /** The prompt image's size: places pixel-space marks for RewardMap's sub-answer regions. */
  imageSize?: ImageSize;
}

export async function assembleGroup(
  mesh: MeshClients,
  header: ScoreGroupRequest,
  works: ResponseWork[],
  signal: AbortSignal,
  options: AssembleOptions = {},
): Promise<{ responses: ResponseReward[]; finepoMs: number }> {
  const useArgmax = header.useArgmaxScore;
  const answers = works.map((w) => normalizeAnswer(w.parsed?.answer ?? ""));
  const outcomes = works.map((w, i) => {
    const scored = w.scores.filter((s) => s !== undefined);
    return gradeOutcome(header.outcome, {
      answer: answers[i],
      references: header.references,
      stepCount: w.steps.length,
      formatErrorCount: w.parsed?.errors.length ?? 0,
      goodStepFraction: scored.length ? scored.filter((s) => isAcceptableOrBetter(s!.label)).length / scored.length : 0,
      steps: w.steps,
      imageSize: options.imageSize,
    });
  });
  const tokenSpans = works.map((w) => (w.request.tokenOffsets.length > 0 ? w.steps.map((s) => tokenSpanOf(w.request.tokenOffsets, s.span!)) : undefined));

  // FinePO over the responses that were scored (a FORMAT failure is scored: it simply has no steps).
  const members = works.map((w, i) => ({ w, i })).filter(({ w }) => !masked(w));
  const t = performance.now();
  let advantages: MemberAdvantages[] = [];
  if (members.length > 0 && options.advantages !== false) {
    // The trainer's typed failures keep their meaning: UNAVAILABLE (retry), FAILED_PRECONDITION
    // (e.g. the run's stored config unusable), INVALID_ARGUMENT naming our request's field.
    const answer = await mesh.trainer
      .computeAdvantages(
        {
          requestId: header.requestId ? `reward:${header.requestId}` : "",
          runId: header.runId,
          batchIndex: header.batchIndex,
          members: members.map(({ w, i }) => groupMember(w, outcomes[i].reward, tokenSpans[i], useArgmax)),
          config: header.finepo,
          prior: [],
          current: [],
        },
        { signal },
      )
      .catch((err: unknown) => {
        if (!(err instanceof InvalidArgumentError)) throw err;
        const field = err.field.replace(/^config(?=\.|$)/, "finepo").replace(/^members\[(\d+)\]/, (_, n: string) => `responses[${members[Number(n)]?.i ?? n}]`);
        throw new InvalidArgumentError(field, err.description, err.reason);
      });
    advantages = answer.members;
  }
  const finepoMs = performance.now() - t;

  const responses = works.map((w, i): ResponseReward => {
    const memberAt = members.findIndex((m) => m.i === i);
    const adv = memberAt >= 0 ? advantages[memberAt] : undefined;
    const steps: StepRecord[] = w.steps.map((s, j) => ({
      index: s.index,
      turn: s.turn,
      span: s.span,
      tokenSpan: tokenSpans[i]?.[j],
      intent: s.intent,
      action: s.action,
      label: w.scores[j]?.label ?? PrmLabel.PRM_LABEL_UNSPECIFIED,
      probabilities: w.scores[j]?.probabilities ?? [],
      processScore: processScore(w, j, useArgmax),
      klOffset: adv?.steps[j]?.klOffset ?? 0,
      // A step FinePO did not see (its response failed on format) carries A(y_i), as its tokens do.
      advantage: adv?.steps[j]?.advantage ?? adv?.coarseAdvantage ?? 0,
      excluded: w.scores[j] === undefined,
    }));
    const scored = steps.filter((s) => !s.excluded).map((s) => s.processScore);
    const tokenCount = w.request.tokenOffsets.length;
    const tokenProcessScores = new Array<number>(tokenCount).fill(0);
    steps.forEach((s) => {
      if (!s.excluded && s.tokenSpan && tokenProcessScores.length) tokenProcessScores[s.tokenSpan.end - 1] = s.processScore;
    });
    return {
      id: w.id,
      steps,
      formatErrors: w.parsed?.errors ?? [],
      answer: answers[i],
      outcomeReward: masked(w) ? 0 : outcomes[i].reward,
      coarseAdvantage: adv?.coarseAdvantage ?? 0,
      meanProcessScore: scored.length ? scored.reduce((a, b) => a + b, 0) / scored.length : 0,
      minProcessScore: scored.length ? Math.min(...scored) : 0,
      lastProcessScore: scored.length ? scored[scored.length - 1] : 0,
      tokenAdvantages: adv?.tokenAdvantages ?? new Array<number>(tokenCount).fill(0),
      lossMask: adv?.lossMask ?? new Array<boolean>(tokenCount).fill(false),
      tokenProcessScores,
      maskSample: masked(w),
      failureKind: w.failure?.kind ?? FailureKind.FAILURE_KIND_UNSPECIFIED,
      failureReason: w.failure?.reason ?? "",
      rewardComponents: masked(w) ? {} : outcomes[i].components,
      chartCode: undefined,
    };
  });
  return { responses, finepoMs };
}

function groupMember(w: ResponseWork, reward: number, tokenSpans: TokenSpan[] | undefined, useArgmax: boolean): GroupMember {
  const tokenCount = w.request.tokenOffsets.length;
  return {
    reward,
    // A FORMAT failure has no steps: FinePO treats it exactly like GRPO.
    steps: w.failure
      ? []
      : w.steps.map((s, j) => ({
          actionKind: actionKindOf(s.action),
          score: processScore(w, j, useArgmax),
          // Without the caller's tokens, a step's length in characters stands in for L_j (Eq. 5).
          tokenLength: tokenSpans ? 0 : Math.max(1, (s.span?.end ?? 1) - (s.span?.start ?? 0)),
          tokenSpan: tokenSpans?.[j],
        })),
    tokenCount: tokenCount > 0 ? tokenCount : undefined,
    imageTokenSpans: w.request.imageTokenSpans,
  };
}
