// OpenRLHF's remote reward model protocol (--reward.remote_url): POST {"query", "prompts", "labels"}
// → {"rewards", "scores", "extra_logs"}. `labels[i]` is a JSON string carrying the image reference
// and the answer: {"image": "sha256:…" | "relative/path.png", "question": "...", "references": [...]}.
// Each sample is scored as a group of one (OpenRLHF sends one sample per request); rewards are
// outcome rewards, scores the mean process score scaled to 0..1.
// Statuses: 400 for a request that can never succeed (not JSON, not an object, a field missing or
// of the wrong type, a bad label or image, a sample masked INVALID_INPUT), 413 for a body over
// --http-max-body-bytes (refused while it is read, before parsing), 404 / 405 for other paths and
// methods, and 503 with Retry-After only when a retry can succeed: over --max-in-flight requests,
// a dependency unavailable or overloaded, a sample masked INFRASTRUCTURE / TIMEOUT — so OpenRLHF
// retries instead of training on a reward of 0, and never retries what cannot work.
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { isAbsolute, relative, resolve } from "node:path";
import { FailureKind, type Image, type ResponseReward } from "@sketchvl/contract";
import type { Logger } from "@sketchvl/runtime";
import { describeFailure } from "@sketchvl/runtime";
import { isAbortError } from "abort-controller-x";
import type { RewardScorer } from "./groupScorer";

interface RewardRequestBody {
  query?: string[];
  prompts?: string[];
  labels?: string[];
}

/** Statuses a retry can fix (the mesh overloaded or a dependency down): 503 with Retry-After. */
const RETRYABLE = new Set(["UNAVAILABLE", "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED"]);

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

/** Seconds a client should wait before retrying a 503. */
const RETRY_AFTER_S = 1;

/** Bytes of a refused body still read (and dropped) so the client gets to read its 413; then the connection is cut. */
const DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * The body, refused with 413 as soon as it is known to be too long — by its Content-Length, or
 * while it is read — and never parsed nor kept: the rest is dropped as it arrives.
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    const refuse = (message: string) => {
      refused = true;
      chunks.length = 0;
      reject(new HttpError(413, `${message} (--http-max-body-bytes)`));
    };
    const declared = Number(req.headers["content-length"] ?? NaN);
    if (declared > maxBytes) refuse(`body of ${declared} bytes; the limit is ${maxBytes}`);
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (refused) {
        if (size > maxBytes + DRAIN_BYTES) req.socket.destroy();
        return;
      }
      if (size > maxBytes) return refuse(`body over ${maxBytes} bytes`);
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!refused) resolveBody(Buffer.concat(chunks));
    });
    req.on("error", reject);
  });
}

const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "an array" : typeof v);

/** The request's three parallel lists, or a 400 naming what is missing or of the wrong type. */
function parseRequest(bytes: Buffer): Required<RewardRequestBody> {
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    throw new HttpError(400, `body is not JSON: ${(err as Error).message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, `body must be a JSON object {"query": [...], "prompts": [...], "labels": [...]}, got ${typeOf(body)}`);
  }
  const fields = ["query", "prompts", "labels"] as const;
  const record = body as Record<string, unknown>;
  const missing = fields.filter((f) => record[f] === undefined);
  if (missing.length > 0) throw new HttpError(400, `missing ${missing.join(", ")}: each is a list of strings, one per sample`);
  for (const f of fields) {
    const list = record[f];
    if (!Array.isArray(list)) throw new HttpError(400, `${f} must be a list of strings, got ${typeOf(list)}`);
    const at = list.findIndex((x) => typeof x !== "string");
    if (at >= 0) throw new HttpError(400, `${f}[${at}] must be a string, got ${typeOf(list[at])}`);
  }
  return record as Required<RewardRequestBody>;
}

export function startOpenRlhfEndpoint(
  scorer: RewardScorer,
  options: { port: number; host: string; imageRoot: string; maxBodyBytes: number; maxInFlight: number; logger: Logger },
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
    if (typeof label !== "object" || label === null || Array.isArray(label)) {
      throw new HttpError(400, `labels[${i}]: must be a JSON object {"image", "question", "references"}, got ${typeOf(label)}`);
    }
    if (typeof label.image !== "string") throw new HttpError(400, `labels[${i}].image: give the image digest or path`);
    if (label.references !== undefined && !(Array.isArray(label.references) && label.references.every((r) => typeof r === "string"))) {
      throw new HttpError(400, `labels[${i}].references: must be a list of strings`);
    }
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

  let inFlight = 0;
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (res.headersSent) return;
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
    };
    const retryLater = (error: string) => send(503, { error }, { "retry-after": String(RETRY_AFTER_S) });
    let admitted = false;
    void (async () => {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      if (path !== "/get_reward") throw new HttpError(404, `no ${path}: POST /get_reward`);
      if (req.method !== "POST") throw new HttpError(405, "POST a JSON body {query, prompts, labels}");
      if (inFlight >= options.maxInFlight) return retryLater(`over ${options.maxInFlight} requests in flight (--max-in-flight); retry`);
      inFlight++;
      admitted = true;
      const { query, prompts, labels } = parseRequest(await readBody(req, options.maxBodyBytes));
      if (prompts.length !== query.length || labels.length !== query.length) {
        throw new HttpError(400, `query, prompts and labels must have the same length (${query.length}, ${prompts.length}, ${labels.length})`);
      }
      const samples = await Promise.all(query.map((q, i) => scoreSample(q, prompts[i], labels[i], i)));
      const invalid = samples.find((s) => s.failureKind === FailureKind.FAILURE_KIND_INVALID_INPUT);
      if (invalid) throw new HttpError(400, `sample ${invalid.id}: ${invalid.failureReason}`);
      const failed = samples.find((s) => s.maskSample);
      if (failed) return retryLater(`sample ${failed.id} could not be scored (${failed.failureReason}); retry`);
      send(200, {
        rewards: samples.map((s) => s.outcomeReward),
        scores: samples.map((s) => Math.min(1, Math.max(0, s.meanProcessScore / 4))),
        extra_logs: {
          process_mean: samples.map((s) => s.meanProcessScore),
          process_min: samples.map((s) => s.minProcessScore),
          format_ok: samples.map((s) => (s.failureKind === 0 && s.formatErrors.length === 0 ? 1 : 0)),
        },
      });
    })()
      .catch((err) => {
        if (err instanceof HttpError) {
          return send(err.status, { error: err.message }, err.status === 405 ? { allow: "POST" } : {});
        }
        if (isAbortError(err)) return retryLater("not scored in time; retry");
        const failure = describeFailure(err);
        if (failure && RETRYABLE.has(failure.code)) return retryLater(`${failure.message}; retry`);
        if (failure) return send(400, { error: failure.message, field: failure.field });
        options.logger.error({ err }, "reward HTTP endpoint failed");
        send(500, { error: "internal error (logged by the server)" });
      })
      .finally(() => {
        if (admitted) inFlight--;
      });
  });
  return new Promise((resolvePromise) => server.listen(options.port, options.host, () => resolvePromise(server)));
}
