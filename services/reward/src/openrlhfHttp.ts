// OpenRLHF's remote reward model protocol (--reward.remote_url): POST {"query", "prompts", "labels"}
// → {"rewards", "scores", "extra_logs"}, as OpenRLHF reads it:
//  - rewards: the outcome reward R(y), what its advantage estimator consumes;
//  - scores: 0/1 correctness, what --dynamic_filtering reads to drop all-right / all-wrong groups
//    (RewardMap's reward is not 0..1; its correctness component is);
//  - extra_logs: per sample, logged by OpenRLHF: process_mean / process_min (FinePRM, 1..4),
//    process_score (mean / the label scale's max score, 0..1) and format_ok.
// Every number is written as a float (httpBody.ts: OpenRLHF makes a tensor of the list as is).
// The response is found in each query by openrlhfQuery.ts; labels are checked by openrlhfLabels.ts.
// Samples of one request that share a label (one prompt's rollouts) are scored as one group: one
// image decoded and sent once. FinePO advantages are not computed: OpenRLHF has no use for them.
// Statuses: 400 for a request that can never succeed (not JSON, not an object, a field missing or
// of the wrong type, a bad label or image, a query without its prompt, a sample masked
// INVALID_INPUT), 413 for a body over --http-max-body-bytes (refused while it is read), 404 / 405
// for other paths and methods, and 503 with Retry-After only when a retry can succeed: over
// --max-in-flight requests, a dependency unavailable or overloaded, a sample masked
// INFRASTRUCTURE / TIMEOUT — so OpenRLHF retries instead of training on a reward of 0, and never
// retries what cannot work.
// With authentication on (any --auth-* token configured), a request needs `Authorization: Bearer
// <token>`: 401 without a valid one (same body whatever was wrong), 403 for a token not allowed; and
// with --http-rate-limit-per-second, each caller (its token, else its address) gets a token bucket:
// 429 with Retry-After beyond it. Both are decided before the body is read.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { isAbsolute, relative, resolve } from "node:path";
import { FailureKind, type Image, PRM_MAX_SCORE, type ResponseReward, ScoreGroupRequest } from "@sketchvl/contract";
import type { Logger, TokenRoles } from "@sketchvl/runtime";
import { authorize, bearerToken, describeFailure } from "@sketchvl/runtime";
import { PermissionDeniedError, UnauthenticatedError } from "@sketchvl/errors";
import { isAbortError } from "abort-controller-x";
import type { RewardScorer } from "./groupScorer";
import { HttpError, jsonWithFloats, parseRequest, readBody, type RewardRequest } from "./httpBody";
import { parseLabel } from "./openrlhfLabels";
import { responseOfQuery } from "./openrlhfQuery";
import { CallerRateLimiter, type RateLimit } from "./rateLimit";

/** Statuses a retry can fix (the mesh overloaded or a dependency down): 503 with Retry-After. */
const RETRYABLE = new Set(["UNAVAILABLE", "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED"]);

/** Seconds a client should wait before retrying a 503. */
const RETRY_AFTER_S = 1;

export interface OpenRlhfOptions {
  port: number;
  host: string;
  imageRoot: string;
  maxBodyBytes: number;
  maxInFlight: number;
  /** Time one POST may take to be scored (--http-request-timeout-ms); beyond it, 503 with Retry-After. */
  requestTimeoutMs: number;
  logger: Logger;
  /** The tokens accepted (meshSecurity(config).roles); none configured: no authentication. */
  roles: TokenRoles;
  /** Per-caller request rate (--http-rate-limit-*); undefined: no limit. */
  rateLimit?: RateLimit;
}

/** Who is calling, for the rate limit: a valid token's digest (never the token), else the address. */
function callerKey(roles: TokenRoles, authorization: string | undefined, address: string | undefined): string {
  const token = bearerToken(authorization);
  if (token !== undefined && roles.roleOf(token) !== undefined) return `token:${createHash("sha256").update(token).digest("base64")}`;
  return `address:${address ?? ""}`;
}

/** What OpenRLHF reads for one sample. */
function sampleView(s: ResponseReward) {
  return {
    reward: s.outcomeReward,
    correct: Math.min(1, Math.max(0, s.rewardComponents.correctness ?? s.outcomeReward)),
    processMean: s.meanProcessScore,
    processMin: s.minProcessScore,
    formatOk: s.failureKind === FailureKind.FAILURE_KIND_UNSPECIFIED && s.formatErrors.length === 0 ? 1 : 0,
  };
}

export function startOpenRlhfEndpoint(scorer: RewardScorer, options: OpenRlhfOptions): Promise<Server> {
  const imageOf = async (reference: string, field: string): Promise<Image> => {
    if (/^sha256:[0-9a-f]{64}$/.test(reference)) return { source: { $case: "digest", value: reference } };
    if (!options.imageRoot) throw new HttpError(400, `${field}: image paths are off (start the service with --image-root); send a digest`, field);
    const path = resolve(options.imageRoot, reference);
    const inside = relative(resolve(options.imageRoot), path);
    if (inside.startsWith("..") || isAbsolute(inside)) throw new HttpError(400, `${field}: ${reference} is outside the image root`, field);
    try {
      return { source: { $case: "encoded", value: await readFile(path) } };
    } catch (err) {
      throw new HttpError(400, `${field}: cannot read ${reference}: ${(err as Error).message}`, field);
    }
  };

  /** Every sample's response text, checked before anything is scored. */
  const responsesOf = ({ query, prompts }: RewardRequest) =>
    query.map((q, i) => {
      const response = responseOfQuery(q, prompts[i]);
      if (response === undefined) {
        throw new HttpError(400, `query[${i}]: the end of prompts[${i}] is not in it; send query = prompt + response`, `query[${i}]`);
      }
      return response;
    });

  /** Scores the samples sharing one label as one group; answers in sample order. */
  const scoreGroup = async (labelJson: string, samples: Array<{ index: number; text: string }>): Promise<ResponseReward[]> => {
    const field = `labels[${samples[0].index}]`;
    const label = parseLabel(labelJson, field);
    // Everything OpenRLHF does not send keeps the contract's default (format detected, default
    // outcome and PRM model, the service's sample timeout).
    const request = ScoreGroupRequest.fromPartial({
      image: await imageOf(label.image, `${field}.image`),
      question: label.question,
      references: label.references,
      responses: samples.map((s) => ({ id: String(s.index), text: s.text })),
    });
    const group = await scorer.scoreGroup(request, AbortSignal.timeout(options.requestTimeoutMs), { advantages: false });
    return group.responses;
  };

  const scoreRequest = async (request: RewardRequest) => {
    const texts = responsesOf(request);
    const groups = new Map<string, Array<{ index: number; text: string }>>();
    request.labels.forEach((label, index) => {
      const members = groups.get(label) ?? [];
      members.push({ index, text: texts[index] });
      groups.set(label, members);
    });
    const samples = new Array<ResponseReward>(texts.length);
    const answers = await Promise.all([...groups].map(([label, members]) => scoreGroup(label, members)));
    for (const answer of answers) for (const r of answer) samples[Number(r.id)] = r;
    return samples;
  };

  let inFlight = 0;
  const limiter = options.rateLimit ? new CallerRateLimiter(options.rateLimit) : undefined;
  const server = createServer((req, res) => {
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      if (res.headersSent) return;
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(body);
    };
    const fail = (status: number, error: string, field = "", headers: Record<string, string> = {}) =>
      send(status, JSON.stringify(field ? { error, field } : { error }), headers);
    const retryLater = (error: string) => fail(503, error, "", { "retry-after": String(RETRY_AFTER_S) });
    let admitted = false;
    void (async () => {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      if (path !== "/get_reward") throw new HttpError(404, `no ${path}: POST /get_reward`);
      if (req.method !== "POST") throw new HttpError(405, "POST a JSON body {query, prompts, labels}");
      const retryAfter = limiter?.take(callerKey(options.roles, req.headers.authorization, req.socket.remoteAddress)) ?? 0;
      if (retryAfter > 0) return fail(429, "too many requests from this caller; retry later", "", { "retry-after": String(retryAfter) });
      authorize(options.roles, req.headers.authorization, false);
      // Refused before the body is read: the answer is immediate whatever the load.
      if (inFlight >= options.maxInFlight) return retryLater(`over ${options.maxInFlight} requests in flight (--max-in-flight); retry`);
      inFlight++;
      admitted = true;
      const samples = await scoreRequest(parseRequest(await readBody(req, options.maxBodyBytes)));
      const invalid = samples.find((s) => s.failureKind === FailureKind.FAILURE_KIND_INVALID_INPUT);
      if (invalid) throw new HttpError(400, `sample ${invalid.id}: ${invalid.failureReason}`, `query[${invalid.id}]`);
      const failed = samples.find((s) => s.maskSample);
      if (failed) return retryLater(`sample ${failed.id} could not be scored (${failed.failureReason}); retry`);
      const views = samples.map(sampleView);
      send(
        200,
        jsonWithFloats({
          rewards: views.map((v) => v.reward),
          scores: views.map((v) => v.correct),
          extra_logs: {
            process_mean: views.map((v) => v.processMean),
            process_min: views.map((v) => v.processMin),
            process_score: views.map((v) => Math.min(1, Math.max(0, v.processMean / PRM_MAX_SCORE))),
            format_ok: views.map((v) => v.formatOk),
          },
        }),
      );
    })()
      .catch((err) => {
        if (err instanceof HttpError) return fail(err.status, err.message, err.field, err.status === 405 ? { allow: "POST" } : {});
        if (err instanceof UnauthenticatedError) return fail(401, err.message, "", { "www-authenticate": 'Bearer realm="sketchvl-reward"' });
        if (err instanceof PermissionDeniedError) return fail(403, err.message);
        if (isAbortError(err)) return retryLater("not scored in time; retry");
        const failure = describeFailure(err);
        if (failure && RETRYABLE.has(failure.code)) return retryLater(`${failure.message}; retry`);
        if (failure) return fail(400, failure.message, failure.field);
        options.logger.error({ err }, "reward HTTP endpoint failed");
        fail(500, "internal error (logged by the server)");
      })
      .finally(() => {
        if (admitted) inFlight--;
      });
  });
  return new Promise((resolvePromise) => server.listen(options.port, options.host, () => resolvePromise(server)));
}
