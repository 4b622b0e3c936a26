// A policy served elsewhere behind an OpenAI-compatible /chat/completions endpoint with log-probs
// (vLLM or SGLang on GPU nodes). Each rollout is a conversation: the question with the chart as a
// data URL, then per turn the model's message and, when it drew, the annotated image as a new user
// turn. A turn ends where the model ends its message (or at a configured stop string). Timeouts,
// bounded retries, the rate limit and concurrency bound are @sketchvl/runtime's
// ChatCompletionsClient (the PRM's remote judge uses the same). Token ids come from vLLM's
// `return_tokens_as_token_ids` ("token_id:<n>"); each token's text from its UTF-8 `bytes`.
import { ChatCompletionsClient } from "@sketchvl/runtime";
import { UnavailableError } from "@sketchvl/errors";
import type { OpenAiConfig } from "../repository";
import type { GroupDecoder, GroupSpec, RolloutBackend, TurnOutput, TurnRequest } from "./types";

interface ChatLogprob {
  token: string;
  logprob: number;
  bytes?: number[] | null;
}

export interface ChatResponse {
  choices?: Array<{
    message?: { content?: string | null };
    logprobs?: { content?: ChatLogprob[] | null } | null;
    finish_reason?: string | null;
  }>;
}

type Content = string | Array<{ type: "text"; text: string } | { type: "image_url"; image_url: { url: string } }>;
type Message = { role: "system" | "user" | "assistant"; content: Content };

export class OpenAiBackend implements RolloutBackend {
  readonly needs = { dataUrl: true };
  readonly imageMarker: { id: number; text: string };
  readonly defaults: { maxTurns: number; maxTokensPerTurn: number };
  readonly turnEnds = "message";
  private readonly client: ChatCompletionsClient;

  constructor(private readonly config: OpenAiConfig) {
    this.client = new ChatCompletionsClient(config);
    this.imageMarker = { id: config.imageTokenId, text: "<image>" };
    this.defaults = config.defaults;
  }

  startGroup(spec: GroupSpec, signal: AbortSignal): GroupDecoder {
    const { sampling } = spec;
    const conversations = new Map<number, Message[]>();
    return {
      promptTokenIds: [],
      turn: (rows: readonly TurnRequest[]) =>
        rows.map(async ({ row, image }) => {
          let messages = conversations.get(row);
          const picture = { type: "image_url" as const, image_url: { url: image.dataUrl! } };
          if (!messages) {
            messages = this.config.systemPrompt ? [{ role: "system", content: this.config.systemPrompt }] : [];
            messages.push({ role: "user", content: [{ type: "text", text: spec.question }, picture] });
            conversations.set(row, messages);
          } else {
            messages.push({ role: "user", content: [picture] });
          }
          const body = {
            messages,
            max_tokens: sampling.maxTokensPerTurn,
            temperature: sampling.temperature,
            top_p: sampling.topP,
            // One seed per rollout: the group's seed and the rollout's index (and the turn, so turns differ).
            seed: (sampling.seed + row * 7919 + messages.length) % 2 ** 31,
            logprobs: true,
            ...(this.config.stop.length > 0 ? { stop: this.config.stop } : {}),
            ...(this.config.tokenIds ? { return_tokens_as_token_ids: true } : {}),
          };
          const answer = (await this.client.complete(body, `rollout ${row}`, signal)) as ChatResponse;
          const out = turnFromResponse(answer);
          messages.push({ role: "assistant", content: out.pieces.join("") });
          return out;
        }),
      close: () => conversations.clear(),
    };
  }

  async close(): Promise<void> {}
}

/** A turn from a chat response: tokens with their log-probs and texts; how the message ended. */
export function turnFromResponse(body: ChatResponse): TurnOutput {
  const choice = body.choices?.[0];
  if (!choice) throw new UnavailableError("the policy endpoint answered without a choice", { reason: "DEPENDENCY_UNAVAILABLE", dependency: "policy endpoint" });
  const content = choice.logprobs?.content;
  if (!content)
    throw new UnavailableError("the policy endpoint answered without logprobs (is logprobs supported?)", {
      reason: "DEPENDENCY_UNAVAILABLE",
      dependency: "policy endpoint",
    });
  const tokens: number[] = [];
  const logprobs: number[] = [];
  const pieces: string[] = [];
  const pending: number[] = [];
  for (const entry of content) {
    const id = /^token_id:(\d+)$/.exec(entry.token);
    tokens.push(id ? Number(id[1]) : 0);
    logprobs.push(entry.logprob);
    // A token may end inside a multi-byte character: its text is what completes with it.
    if (entry.bytes) {
      pending.push(...entry.bytes);
      const complete = completeUtf8(pending);
      pieces.push(Buffer.from(pending.splice(0, complete)).toString("utf8"));
    } else {
      pieces.push(id ? "" : entry.token);
    }
  }
  if (pending.length > 0) pieces[pieces.length - 1] += Buffer.from(pending).toString("utf8");
  // Without texts per token (ids but no bytes), the message's text goes on the first token.
  const text = choice.message?.content ?? "";
  if (pieces.join("") !== text && pieces.length > 0 && !pieces.some((p) => p !== "")) pieces[0] = text;
  return { tokens, logprobs, pieces, stop: choice.finish_reason === "length" ? "length" : "eot" };
}

/** How many leading bytes of `bytes` form whole UTF-8 characters. */
function completeUtf8(bytes: number[]): number {
  let end = bytes.length;
  // Step back over a trailing, unfinished character.
  for (let i = bytes.length - 1; i >= 0 && i >= bytes.length - 4; i--) {
    const b = bytes[i];
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    if (bytes.length - i < need) end = i;
    break;
  }
  return end;
}
