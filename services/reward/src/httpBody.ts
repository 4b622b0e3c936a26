// The HTTP side of POST /get_reward that knows nothing of rewards: reading a bounded body, checking
// the request's shape, and writing JSON whose numbers Python reads as floats.
import type { IncomingMessage } from "node:http";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The request field at fault ("labels[2].references"), when there is one. */
    readonly field = "",
  ) {
    super(message);
  }
}

/** Bytes of a refused body still read (and dropped) so the client gets to read its 413; then the connection is cut. */
const DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * The body, refused with 413 as soon as it is known to be too long — by its Content-Length, or
 * while it is read — and never parsed nor kept: the rest is dropped as it arrives.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
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

export const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "an array" : typeof v);

export interface RewardRequest {
  query: string[];
  prompts: string[];
  labels: string[];
}

/** The request's three parallel lists, or a 400 naming what is missing or of the wrong type. */
export function parseRequest(bytes: Buffer): RewardRequest {
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
  if (missing.length > 0) throw new HttpError(400, `missing ${missing.join(", ")}: each is a list of strings, one per sample`, missing[0]);
  for (const f of fields) {
    const list = record[f];
    if (!Array.isArray(list)) throw new HttpError(400, `${f} must be a list of strings, got ${typeOf(list)}`, f);
    const at = list.findIndex((x) => typeof x !== "string");
    if (at >= 0) throw new HttpError(400, `${f}[${at}] must be a string, got ${typeOf(list[at])}`, `${f}[${at}]`);
  }
  const request = record as unknown as RewardRequest;
  const { query, prompts, labels } = request;
  if (prompts.length !== query.length || labels.length !== query.length) {
    throw new HttpError(400, `query, prompts and labels must have the same length (${query.length}, ${prompts.length}, ${labels.length})`);
  }
  return request;
}

/**
 * JSON with every number written as a float ("1.0", never "1"). JSON itself has one number type,
 * but Python's json.loads makes ints of "1", and OpenRLHF's torch.tensor([1, 0, 1]) is then int64:
 * its rewards.mean() / std() fail, or advantages are computed in integer arithmetic. Only plain
 * data (numbers, strings, booleans, arrays, objects) is expected.
 */
export function jsonWithFloats(value: unknown): string {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`${value} has no JSON form`);
    return Number.isInteger(value) ? value.toFixed(1) : String(value);
  }
  if (Array.isArray(value)) return `[${value.map(jsonWithFloats).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonWithFloats(v)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}
