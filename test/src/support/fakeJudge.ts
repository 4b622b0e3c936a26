// FakeJudgeServer: a stand-in for an OpenAI-compatible FinePRM judge (a 7B model behind vLLM),
// which cannot run on these machines. It speaks the chat-completions wire format the remote-judge
// backend uses and answers from a script, so the backend's parsing, retries, timeouts and rate
// limit are tested against real HTTP. It is not a model: its verdicts come from the intent text
// ("[excellent]" ... "[unacceptable]" tags).
import { createServer, type Server } from "node:http";

export interface FakeJudgeOptions {
  /** Answer the first N requests with this HTTP status before answering normally. */
  failFirst?: { count: number; status: number };
  /** Delay every answer (to test timeouts, deadlines and queueing). */
  delayMs?: number;
}

export interface FakeJudgeServer {
  url: string;
  /** Every request body received, in order. */
  requests: Array<{ at: number; body: { messages: Array<{ content: unknown }>; logprobs?: boolean; top_logprobs?: number } }>;
  close(): Promise<void>;
}

const VERDICTS: Record<string, [string, number][]> = {
  excellent: [
    ["Excellent", -0.1],
    ["Accept", -2.5],
    ["Poor", -5],
    ["Un", -6],
  ],
  acceptable: [
    ["Accept", -0.2],
    ["Excellent", -2],
    ["Poor", -3],
    ["Un", -5],
  ],
  poor: [
    ["Poor", -0.3],
    ["Accept", -1.7],
    ["Un", -3],
    ["Excellent", -6],
  ],
  unacceptable: [
    ["Un", -0.05],
    ["Poor", -3.2],
    ["Accept", -6],
    ["Excellent", -8],
  ],
};

export async function startFakeJudge(options: FakeJudgeOptions = {}): Promise<FakeJudgeServer> {
  const requests: FakeJudgeServer["requests"] = [];
  let failuresLeft = options.failFirst?.count ?? 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      requests.push({ at: performance.now(), body });
      const answer = () => {
        if (req.url !== "/v1/chat/completions") return res.writeHead(404).end();
        if (failuresLeft > 0) {
          failuresLeft--;
          return res.writeHead(options.failFirst!.status).end("busy");
        }
        const text = JSON.stringify(body.messages);
        const verdict = Object.keys(VERDICTS).find((v) => text.includes(`[${v}]`)) ?? "poor";
        const top = VERDICTS[verdict].map(([token, logprob]) => ({ token, logprob }));
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            id: "fake",
            object: "chat.completion",
            model: body.model,
            choices: [
              {
                index: 0,
                message: { role: "assistant", content: top[0].token },
                logprobs: { content: [{ ...top[0], top_logprobs: top }] },
                finish_reason: "length",
              },
            ],
          }),
        );
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
