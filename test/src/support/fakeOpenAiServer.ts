// FakeOpenAiPolicyServer: a stand-in for a vision-language policy served by vLLM / SGLang behind
// an OpenAI-compatible /v1/chat/completions endpoint, which cannot run on these machines. It speaks
// the wire format the policy's openai-compatible backend uses (messages with image data URLs,
// `logprobs: true`, vLLM's `return_tokens_as_token_ids`, per-token UTF-8 `bytes`) and answers each
// turn of a conversation from a script, so the backend's conversation building, token and offset
// handling, retries and limits are tested against real HTTP. It is not a model.
import { createServer, type Server } from "node:http";

export interface FakeOpenAiOptions {
  /** The assistant's message for turn i (the number of assistant messages already in the conversation). */
  turns: string[];
  /** Answer the first N requests with this HTTP status before answering normally. */
  failFirst?: { count: number; status: number };
  /** Answer every request with this status. */
  alwaysStatus?: number;
  delayMs?: number;
}

export interface ChatRequestBody {
  model: string;
  messages: Array<{ role: string; content: string | Array<{ type: string; text?: string; image_url?: { url: string } }> }>;
  logprobs?: boolean;
  return_tokens_as_token_ids?: boolean;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  seed?: number;
}

export interface FakeOpenAiServer {
  url: string;
  /** Every request body received, in order, with the HTTP status answered. */
  requests: Array<{ body: ChatRequestBody; status: number }>;
  close(): Promise<void>;
}

/** Tokens of the fake: runs of up to 3 bytes of UTF-8, so a multi-byte character may span two tokens. */
function tokenize(text: string): Array<{ id: number; bytes: number[] }> {
  const bytes = [...Buffer.from(text, "utf8")];
  const out: Array<{ id: number; bytes: number[] }> = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const chunk = bytes.slice(i, i + 3);
    out.push({ id: 1000 + chunk.reduce((a, b) => (a * 31 + b) % 50000, 0), bytes: chunk });
  }
  return out;
}

export async function startFakeOpenAi(options: FakeOpenAiOptions): Promise<FakeOpenAiServer> {
  const requests: FakeOpenAiServer["requests"] = [];
  let failuresLeft = options.failFirst?.count ?? 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ChatRequestBody;
      const answer = () => {
        const reply = (status: number, payload?: object) => {
          requests.push({ body, status });
          if (!payload) return res.writeHead(status).end("busy");
          res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
        };
        if (req.url !== "/v1/chat/completions") return reply(404);
        if (options.alwaysStatus) return reply(options.alwaysStatus);
        if (failuresLeft > 0) {
          failuresLeft--;
          return reply(options.failFirst!.status);
        }
        const turn = body.messages.filter((m) => m.role === "assistant").length;
        const full = options.turns[Math.min(turn, options.turns.length - 1)];
        const tokens = tokenize(full).slice(0, body.max_tokens ?? Infinity);
        const text = Buffer.from(tokens.flatMap((t) => t.bytes)).toString("utf8");
        const content = tokens.map((t, i) => ({
          token: body.return_tokens_as_token_ids ? `token_id:${t.id}` : Buffer.from(t.bytes).toString("latin1"),
          logprob: -0.05 - (i % 5) * 0.1,
          bytes: t.bytes,
        }));
        reply(200, {
          id: "fake",
          object: "chat.completion",
          model: body.model,
          choices: [
            {
              index: 0,
              message: { role: "assistant", content: text },
              logprobs: { content },
              finish_reason: tokens.length < tokenize(full).length ? "length" : "stop",
            },
          ],
        });
      };
      if (options.delayMs) setTimeout(answer, options.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
