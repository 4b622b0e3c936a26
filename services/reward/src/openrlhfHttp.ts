// OpenRLHF's remote reward model protocol (--reward.remote_url): POST {"query", "prompts", "labels"}
// → {"rewards", "scores", "extra_logs"}. `labels[i]` is a JSON string carrying the image reference
// and the answer: {"image": "sha256:…" | "relative/path.png", "question": "...", "references": [...]}.
// Each sample is scored as a group of one (OpenRLHF sends one sample per request); rewards are
// outcome rewards, scores the mean process score scaled to 0..1. An infrastructure failure answers
// 503, so OpenRLHF retries instead of training on a reward of 0.
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { isAbsolute, relative, resolve } from "node:path";
import type { Image, ResponseReward } from "@sketchvl/contract";
import type { Logger } from "@sketchvl/runtime";
import { describeFailure } from "@sketchvl/runtime";
import type { RewardScorer } from "./groupScorer";

interface RewardRequestBody {
  query?: string[];
  prompts?: string[];
  labels?: string[];
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// The end-of-turn tokens chat templates append; turn markers (<|vision_start|>…) are kept.
const TRAILING_SPECIAL = /(?:\s*(?:<\|im_end\|>|<\|endoftext\|>|<\|eot_id\|>|<\/s>))+\s*$/;

async function readBody(req: IncomingMessage, maxBytes: number): Promise<RewardRequestBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as RewardRequestBody;
  } catch (err) {
    throw new HttpError(400, `body is not JSON: ${(err as Error).message}`);
  }
}

export function startOpenRlhfEndpoint(
  scorer: RewardScorer,
  options: { port: number; host: string; imageRoot: string; maxBodyBytes: number; logger: Logger },
): Promise<Server> {
  const imageOf = async (reference: string, field: string): Promise<Image> => {
    if (/^sha256:[0-9a-f]{64}$/.test(reference)) return { source: { $case: "digest", value: reference } };
    if (!options.imageRoot) throw new HttpError(400, `${field}: image paths are off (start the service with --image-root); send a digest`);
    const path = resolve(options.imageRoot, reference);
    const inside = relative(resolve(options.imageRoot), path);
    if (inside.startsWith("..") || isAbsolute(inside)) throw new HttpError(400, `${field}: ${reference} is outside the image root`);
    try {
      return { source: { $case: "encoded", value: await readFile(path) } };
    } catch (err) {
      throw new HttpError(400, `${field}: cannot read ${reference}: ${(err as Error).message}`);
    }
  };

  const scoreSample = async (query: string, prompt: string, labelJson: string, i: number): Promise<ResponseReward> => {
    let label: { image?: string; question?: string; references?: string[]; answer?: string };
    try {
      label = JSON.parse(labelJson);
    } catch {
      throw new HttpError(400, `labels[${i}]: not a JSON string`);
    }
    if (typeof label.image !== "string") throw new HttpError(400, `labels[${i}].image: give the image digest or path`);
    const references = label.references ?? (label.answer !== undefined ? [String(label.answer)] : []);
    const text = (query.startsWith(prompt) ? query.slice(prompt.length) : query).replace(TRAILING_SPECIAL, "");
    const group = await scorer.scoreGroup(
      {
        requestId: "", runId: "", batchIndex: 0, image: await imageOf(label.image, `labels[${i}].image`), question: label.question ?? "",
        references, responses: [{ id: String(i), text, tokenOffsets: [], imageTokenSpans: [] }], outcome: undefined, finepo: undefined,
        prmModel: "", useArgmaxScore: false, format: 0, sampleTimeoutMs: 0,
      },
      AbortSignal.timeout(170_000), // under OpenRLHF's 180 s client timeout
    );
    return group.responses[0];
  };

  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    void (async () => {
      if (req.method !== "POST") throw new HttpError(405, "POST a JSON body {query, prompts, labels}");
      const body = await readBody(req, options.maxBodyBytes);
      const query = body.query ?? [];
      const prompts = body.prompts ?? [];
      const labels = body.labels ?? [];
      if (prompts.length !== query.length || labels.length !== query.length) {
        throw new HttpError(400, `query, prompts and labels must have the same length (${query.length}, ${prompts.length}, ${labels.length})`);
      }
      const samples = await Promise.all(query.map((q, i) => scoreSample(q, prompts[i], labels[i], i)));
      const failed = samples.find((s) => s.maskSample);
      if (failed) throw new HttpError(503, `sample ${failed.id} could not be scored (${failed.failureReason}); retry`);
      send(200, {
        rewards: samples.map((s) => s.outcomeReward),
        scores: samples.map((s) => Math.min(1, Math.max(0, s.meanProcessScore / 4))),
        extra_logs: {
          process_mean: samples.map((s) => s.meanProcessScore),
          process_min: samples.map((s) => s.minProcessScore),
          format_ok: samples.map((s) => (s.failureKind === 0 && s.formatErrors.length === 0 ? 1 : 0)),
        },
      });
    })().catch((err) => {
      if (err instanceof HttpError) return send(err.status, { error: err.message });
      const failure = describeFailure(err);
      if (failure) return send(failure.code === "INVALID_ARGUMENT" || failure.code === "NOT_FOUND" ? 400 : 503, { error: failure.message, field: failure.field });
      options.logger.error({ err }, "reward HTTP endpoint failed");
      send(500, { error: "internal error (logged by the server)" });
    });
  });
  return new Promise((resolvePromise) => server.listen(options.port, options.host, () => resolvePromise(server)));
}
