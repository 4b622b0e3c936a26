// The reward service's options (flags / REWARD_* environment / defaults); `--help` lists them.
import { imageLimitOptions, serverOptions } from "@sketchvl/runtime";
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();

export const rewardOptions = {
  ...serverOptions(50055),
  httpPort: {
    schema: z.coerce.number().int().min(-1).max(65535).default(8055),
    doc: "OpenRLHF-compatible HTTP endpoint port (0 picks a free one, -1 turns it off)",
  },
  httpMaxBodyBytes: {
    schema: positiveInt.default(4 * 1024 * 1024),
    doc: "largest POST /get_reward body; a longer one is refused with 413 while it is read",
  },
  httpRequestTimeoutMs: {
    schema: positiveInt.max(3_600_000).default(170_000),
    doc:
      "POST /get_reward: longest time one request may take to be scored; then 503 with Retry-After. Keep it under the " +
      "client's own timeout (OpenRLHF's is 180 s) so the client gets an answer it can retry instead of a dropped connection",
  },
  httpRateLimitPerSecond: {
    schema: z.coerce.number().nonnegative().default(0),
    doc: "POST /get_reward: requests per second each caller (its token, else its address) may sustain; beyond it 429 with Retry-After (0: no limit)",
  },
  httpRateLimitBurst: {
    schema: positiveInt.default(20),
    doc: "POST /get_reward: requests a caller may make at once after being idle (the token bucket's size)",
  },
  rendererAddress: { schema: z.string().default("127.0.0.1:50051"), doc: "renderer service (host:port or dns:///name:port)" },
  prmAddress: { schema: z.string().default("127.0.0.1:50053"), doc: "PRM service" },
  trainerAddress: { schema: z.string().default("127.0.0.1:50052"), doc: "trainer service (FinePO)" },
  callDeadlineMs: { schema: positiveInt.default(60_000), doc: "deadline of each call this service makes to the others" },
  sampleTimeoutMs: { schema: positiveInt.default(60_000), doc: "default per-response budget; a response not scored in time is masked (TIMEOUT)" },
  maxResponses: { schema: positiveInt.default(1024), doc: "most responses in one group" },
  maxTextChars: { schema: positiveInt.default(200_000), doc: "longest response text" },
  idempotencyEntries: { schema: z.coerce.number().int().nonnegative().default(4096), doc: "group answers remembered by request id" },
  idempotencyBytes: { schema: positiveInt.default(256 * 1024 * 1024), doc: "memory the remembered group answers (and their request ids) may take" },
  streamFirstMessageMs: {
    schema: positiveInt.default(10_000),
    doc: "StreamGroup: time from opening a stream to its first message (the group); a stream silent that long is ended (DEADLINE_EXCEEDED)",
  },
  streamIdleMs: {
    schema: positiveInt.default(120_000),
    doc: "StreamGroup: longest gap between two messages (one response's generation); a longer silence ends the stream (DEADLINE_EXCEEDED)",
  },
  maxStreamsPerConnection: {
    schema: positiveInt.default(64),
    doc: "StreamGroup calls open at once on one connection; more are refused at once (RESOURCE_EXHAUSTED), so one client cannot hold every --max-in-flight slot",
  },
  imageRoot: {
    schema: z.string().default(""),
    doc: "directory image paths in OpenRLHF labels may point into (empty: paths are refused, only digests)",
  },
  ...imageLimitOptions({ subject: "prompt image", storeBytes: 256 * 1024 * 1024, storeDoc: "memory for prompt images kept by digest" }),
};
