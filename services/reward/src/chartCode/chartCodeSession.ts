// A chart-to-code group (REWARD_TASK_CHART_TO_CODE): each response's code is found in its text,
// rendered in the renderer's sandbox, judged against the reference by the PRM service's chart
// judge, and rewarded by Visual-ERM's formula (visualErm.ts). A render that fails is the policy's
// failure (reward 0, status reported); a renderer or judge that fails is the mesh's (the sample is
// masked, never scored 0). Every component goes back: errors, S, render status, reward.
import {
  type ChartCodeReward,
  ChartRenderStatus,
  FailureKind,
  type GroupRewards,
  type Image,
  ImageFormat,
  type ResponseReward,
  type ResponseToScore,
  type ScoreGroupRequest,
} from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import type { MeshClients } from "../meshClients";
import { classify, isMissingImage } from "../responsePipeline";
import { extractChartCode, severitySum, visualErmReward } from "./visualErm";

export interface ChartCodeOptions {
  sampleTimeoutMs: number;
  maxResponses: number;
  maxTextChars: number;
}

/** The reference image where the PRM's judge finds it: by digest, or inline when the PRM lost it. */
export interface ReferenceImage {
  prmDigest: string;
  inline: Image;
}

type Scored = { reward: ResponseReward; ms: Record<string, number> };

export class ChartCodeSession {
  private readonly pending: Promise<Scored>[] = [];

  constructor(
    private readonly mesh: MeshClients,
    private readonly header: ScoreGroupRequest,
    private readonly imageDigest: string,
    private readonly reference: ReferenceImage,
    private readonly options: ChartCodeOptions,
    private readonly signal: AbortSignal,
    private readonly imageMs: number,
  ) {}

  add(response: ResponseToScore): void {
    const index = this.pending.length;
    if (index >= this.options.maxResponses) throw new InvalidArgumentError("responses", `more than ${this.options.maxResponses} responses in one group`);
    const id = response.id || String(index);
    if (response.text.length > this.options.maxTextChars) {
      const why = `responses[${index}].text: ${response.text.length} characters; the limit is ${this.options.maxTextChars}`;
      this.pending.push(Promise.resolve({ reward: masked(id, response, FailureKind.FAILURE_KIND_INVALID_INPUT, why), ms: {} }));
      return;
    }
    const budget = this.header.sampleTimeoutMs || this.options.sampleTimeoutMs;
    this.pending.push(this.score(id, response, AbortSignal.any([this.signal, AbortSignal.timeout(budget)])));
  }

  async finish(): Promise<GroupRewards> {
    const scored = await Promise.all(this.pending);
    const responses = scored.map((s) => s.reward);
    // The group-mean baseline over the samples that were scored (masked ones take no part).
    const kept = responses.filter((r) => !r.maskSample);
    const mean = kept.reduce((s, r) => s + r.outcomeReward, 0) / Math.max(1, kept.length);
    for (const r of kept) {
      r.coarseAdvantage = r.outcomeReward - mean;
      r.tokenAdvantages = r.lossMask.map(() => r.coarseAdvantage);
    }
    const stageMs: Record<string, number> = { image: this.imageMs, render: 0, judge: 0 };
    for (const s of scored) for (const [stage, ms] of Object.entries(s.ms)) stageMs[stage] += ms;
    return { requestId: this.header.requestId, responses, imageDigest: this.imageDigest, stageMs };
  }

  private async score(id: string, response: ResponseToScore, signal: AbortSignal): Promise<Scored> {
    const ms = { render: 0, judge: 0 };
    const code = extractChartCode(response.text);
    if (!code)
      return {
        reward: rewarded(id, response, { renderStatus: ChartRenderStatus.CHART_RENDER_STATUS_NO_CODE, renderDetail: "no chart code in the response" }),
        ms,
      };
    let stage: "render" | "prm" = "render";
    try {
      let t = performance.now();
      const rendered = await this.mesh.renderer.renderChartCode({ code, outputFormat: ImageFormat.IMAGE_FORMAT_PNG }, { signal });
      ms.render = performance.now() - t;
      const base = { renderStatus: rendered.status, renderDetail: rendered.detail, renderedDigest: rendered.image?.digest ?? "" };
      if (rendered.status !== ChartRenderStatus.CHART_RENDER_STATUS_OK || !rendered.image?.image) return { reward: rewarded(id, response, base), ms };
      stage = "prm";
      t = performance.now();
      const judge = (referenceImage: Image) =>
        this.mesh.prm.judgeChartCode(
          {
            judge: this.header.chartCode?.judge ?? "",
            referenceImage,
            referenceCode: this.header.chartCode?.referenceCode ?? "",
            renderedImage: rendered.image?.image,
            predictedCode: code,
          },
          { signal },
        );
      const verdict = await judge({ source: { $case: "digest", value: this.reference.prmDigest } }).catch((err) => {
        if (isMissingImage(err)) return judge(this.reference.inline);
        throw err;
      });
      ms.judge = performance.now() - t;
      return { reward: rewarded(id, response, { ...base, errors: verdict.errors, judgeOutputParsed: verdict.parsed, judge: verdict.judge }), ms };
    } catch (err) {
      const { kind, reason } = classify(err, stage, signal);
      return { reward: masked(id, response, kind, reason), ms };
    }
  }
}

function rewarded(id: string, response: ResponseToScore, parts: Partial<ChartCodeReward> & { renderStatus: ChartRenderStatus }): ResponseReward {
  const errors = parts.errors ?? [];
  const parsed = parts.judgeOutputParsed ?? true;
  const judged = parts.renderStatus === ChartRenderStatus.CHART_RENDER_STATUS_OK;
  const severity = judged ? severitySum(errors, parsed) : 0;
  const reward = visualErmReward(parts.renderStatus, severity);
  const chartCode: ChartCodeReward = {
    renderStatus: parts.renderStatus,
    renderDetail: parts.renderDetail ?? "",
    errors,
    severitySum: severity,
    judgeOutputParsed: parsed,
    reward,
    renderedDigest: parts.renderedDigest ?? "",
    judge: parts.judge ?? "",
  };
  return {
    ...emptyReward(id, response),
    outcomeReward: reward,
    lossMask: response.tokenOffsets.map(() => true),
    rewardComponents: { visual_erm: reward, severity_sum: severity, rendered: judged ? 1 : 0 },
    chartCode,
  };
}

function masked(id: string, response: ResponseToScore, kind: FailureKind, reason: string): ResponseReward {
  return { ...emptyReward(id, response), maskSample: true, failureKind: kind, failureReason: reason, lossMask: response.tokenOffsets.map(() => false) };
}

function emptyReward(id: string, response: ResponseToScore): ResponseReward {
  const tokens = response.tokenOffsets.length;
  return {
    id,
    steps: [],
    formatErrors: [],
    answer: "",
    outcomeReward: 0,
    coarseAdvantage: 0,
    meanProcessScore: 0,
    minProcessScore: 0,
    lastProcessScore: 0,
    tokenAdvantages: new Array(tokens).fill(0),
    lossMask: [],
    tokenProcessScores: new Array(tokens).fill(0),
    maskSample: false,
    failureKind: FailureKind.FAILURE_KIND_UNSPECIFIED,
    failureReason: "",
    rewardComponents: {},
    chartCode: undefined,
  };
}
