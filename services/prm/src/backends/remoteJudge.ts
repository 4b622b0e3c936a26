// A generative FinePRM served elsewhere behind an OpenAI-compatible chat-completions endpoint (how
// a 7B FinePRM served by vLLM would be used), prompted as the paper's reviewer. The score comes
// from the probabilities of the four label tokens in one forward pass (top_logprobs of the first
// generated token), the way VisualPRM reads a judge token. Each call has a timeout, bounded
// retries on 408/429/5xx and network errors, and a client-side rate limit (@sketchvl/runtime's
// ChatCompletionsClient, shared with the policy's openai-compatible backend).
import { PRM_LABEL_SCALE } from "@sketchvl/contract";
import { encodePng, type RasterImage } from "@sketchvl/drawing";
import { ChatCompletionsClient, type RemoteEndpointConfig } from "@sketchvl/runtime";
import { UnavailableError } from "@sketchvl/errors";
import { type LabelProbabilities, oneHot, type PrmStep, type ScoringBackend } from "./types";

export type RemoteJudgeConfig = RemoteEndpointConfig;

// The judge answers in the scale's words; an index into them is an index into LabelProbabilities.
const LABEL_WORDS = PRM_LABEL_SCALE.map((l) => l.word);

export const REVIEWER_PROMPT =
  "You are a meticulous reviewer of visual reasoning steps on charts. You see the chart before " +
  "(image 1) and after (image 2) one drawing step, with the step's intent and action. Judge whether " +
  "the modification in image 2 precisely and correctly realizes the intent. Answer with exactly one " +
  `word: ${LABEL_WORDS.slice(0, -1).join(", ")} or ${LABEL_WORDS[LABEL_WORDS.length - 1]}.`;

/** Which label a generated token begins (case-insensitive prefix of at least two letters), or -1. */
export function labelOfToken(token: string): number {
  const t = token.trim().toLowerCase();
  if (t.length < 2) return -1;
  return LABEL_WORDS.findIndex((w) => w.toLowerCase().startsWith(t) || t.startsWith(w.toLowerCase()));
}

interface ChatResponse {
  choices?: Array<{
    message?: { content?: string | null };
    logprobs?: { content?: Array<{ token: string; logprob: number; top_logprobs?: Array<{ token: string; logprob: number }> }> | null } | null;
  }>;
}

/** The four label probabilities from a chat response: top_logprobs of the first token, else the text. */
export function probabilitiesFromResponse(body: ChatResponse): LabelProbabilities {
  const choice = body.choices?.[0];
  const first = choice?.logprobs?.content?.[0];
  const mass = [0, 0, 0, 0];
  for (const candidate of first?.top_logprobs ?? (first ? [first] : [])) {
    const label = labelOfToken(candidate.token);
    if (label >= 0) mass[label] += Math.exp(candidate.logprob);
  }
  const total = mass[0] + mass[1] + mass[2] + mass[3];
  if (total > 0) return mass.map((m) => m / total) as unknown as LabelProbabilities;
  const text = choice?.message?.content ?? "";
  const word = LABEL_WORDS.findIndex((w) => new RegExp(`\\b${w}\\b`, "i").test(text));
  if (word >= 0) return oneHot(word);
  throw new UnavailableError(`the judge's answer names no label: ${JSON.stringify(text.slice(0, 80))}`, {
    reason: "DEPENDENCY_UNAVAILABLE",
    dependency: "judge",
  });
}

export class RemoteJudgeBackend implements ScoringBackend {
  private readonly client: ChatCompletionsClient;

  constructor(config: RemoteJudgeConfig) {
    this.client = new ChatCompletionsClient(config);
  }

  async score(steps: readonly PrmStep[]): Promise<LabelProbabilities[]> {
    return Promise.all(steps.map((step) => this.scoreOne(step)));
  }

  private async scoreOne(step: PrmStep): Promise<LabelProbabilities> {
    const body = {
      messages: [
        { role: "system", content: REVIEWER_PROMPT },
        {
          role: "user",
          content: [
            { type: "text", text: `Intent: ${step.intent}\nAction: ${describeAction(step)}` },
            { type: "image_url", image_url: { url: await dataUrl(step.before) } },
            { type: "image_url", image_url: { url: await dataUrl(step.after) } },
          ],
        },
      ],
      max_tokens: 1,
      temperature: 0,
      logprobs: true,
      top_logprobs: 20,
    };
    return probabilitiesFromResponse((await this.client.complete(body, `step ${step.id}`)) as ChatResponse);
  }

  async close(): Promise<void> {}
}

function describeAction(step: PrmStep): string {
  const kind = step.action.kind;
  return kind ? `${kind.$case} ${JSON.stringify(kind.value)} ${step.action.color || "red"}` : "none";
}

/**
 * The image as a PNG data URL, encoded once per image: step j's after-image is step j+1's
 * before-image, and a group's steps start from the same chart.
 */
const dataUrls = new WeakMap<RasterImage, Promise<string>>();
function dataUrl(image: RasterImage): Promise<string> {
  let url = dataUrls.get(image);
  if (!url) {
    url = encodePng(image).then((png) => `data:image/png;base64,${png.toString("base64")}`);
    dataUrls.set(image, url);
    url.catch(() => dataUrls.delete(image));
  }
  return url;
}
