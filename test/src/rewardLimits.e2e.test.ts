// Limits and statuses of the reward service (and, for undecodable bytes, of every service), through
// real processes on loopback: bytes that are not a message, ids too long, StreamGroup calls that
// never speak, an image too big for a message, an HTTP burst over --max-in-flight, and the reward
// process's memory under 200-sample OpenRLHF requests.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ScoreGroupRequest } from "@sketchvl/contract";
import { createMeshChannel } from "@sketchvl/runtime";
import { createClient } from "nice-grpc";
import sharp from "sharp";
import { describeError, failureOf } from "./support/mesh";
import { type RewardMesh, startRewardMesh } from "./support/rewardMesh";

const FIRST_MESSAGE_MS = 600;

/** A method sending and receiving bytes as they are: what a broken or hostile client can put on the wire. */
const rawMethod = (path: string, requestStream = false) => ({
  path,
  requestStream,
  responseStream: false,
  options: {},
  requestSerialize: (b: Uint8Array) => b,
  requestDeserialize: (b: Uint8Array) => b,
  responseSerialize: (b: Uint8Array) => b,
  responseDeserialize: (b: Uint8Array) => b,
});

const never = () => new Promise<never>(() => undefined);

describe("reward limits and statuses", () => {
  let mesh: RewardMesh;
  before(async () => {
    mesh = await startRewardMesh([
      "--max-in-flight",
      "8",
      "--max-streams-per-connection",
      "4",
      "--stream-first-message-ms",
      String(FIRST_MESSAGE_MS),
      "--stream-idle-ms",
      "600",
    ]);
  });
  after(() => mesh?.stop());

  const label = () => JSON.stringify({ image: "chart.png", question: mesh.group.question, references: [mesh.group.answer] });
  const body = (n: number) =>
    JSON.stringify({
      query: Array.from({ length: n }, (_, i) => (i % 2 ? mesh.group.responses.expert : mesh.group.responses.wrongAnswer)),
      prompts: Array(n).fill(""),
      labels: Array(n).fill(label()),
    });

  it("keeps the reward process's memory bounded under 200-sample requests", async (t) => {
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${mesh.reward.child.pid}/status`, "utf8"))![1]) / 1024;
    const before = rss();
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, rss())), 25);
    const payload = body(200);
    const start = performance.now();
    try {
      // As OpenRLHF posts them: a 503 (the mesh momentarily overloaded) is retried after Retry-After.
      const post = async (attempt = 0): Promise<string> => {
        const res = await fetch(mesh.httpUrl, { method: "POST", body: payload });
        const text = await res.text();
        if (res.status === 503 && attempt < 3) return new Promise((r) => setTimeout(r, 1000)).then(() => post(attempt + 1));
        return `${res.status} ${res.status === 200 ? "" : text}`.trim();
      };
      const answers = await Promise.all([0, 1].map(() => post()));
      assert.deepEqual(answers, ["200", "200"]);
    } finally {
      clearInterval(timer);
    }
    const seconds = (performance.now() - start) / 1000;
    await new Promise((r) => setTimeout(r, 1000));
    const afterLoad = rss();
    t.diagnostic(
      `reward RSS: before ${before.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, 1 s after ${afterLoad.toFixed(0)} MB; 400 samples in ${seconds.toFixed(1)} s`,
    );
    // Before the prompt image was resolved once per request, 600 such samples held 1.5 GB.
    assert.ok(peak - before < 350, `peak ${peak.toFixed(0)} MB from ${before.toFixed(0)} MB`);
  });

  it("answers INVALID_ARGUMENT, not INTERNAL, for garbage, truncated and 100k-deep bytes on every service", async () => {
    const valid = ScoreGroupRequest.encode(mesh.request()).finish();
    const payloads = {
      garbage: Buffer.from([0x0f, 0x01, 0xff, 0xff]), // field 1 with wire type 7, which does not exist
      truncated: Buffer.from(valid.subarray(0, Math.floor(valid.length / 2))),
      nested: Buffer.alloc(100_000, 0x7b), // field 15 as a start-group, 100,000 deep
    };
    const targets: Array<[string, string, boolean]> = [
      [mesh.renderer.address, "/sketchvl.v1.RendererService/ParseSteps", false],
      [mesh.prm.address, "/sketchvl.v1.PrmService/ScoreSteps", false],
      [mesh.trainer.address, "/sketchvl.v1.TrainerService/ComputeAdvantages", false],
      [mesh.reward.address, "/sketchvl.v1.RewardService/ScoreGroup", false],
      [mesh.reward.address, "/sketchvl.v1.RewardService/StreamGroup", true],
      [mesh.reward.address, "/grpc.health.v1.Health/Check", false],
    ];
    for (const [address, path, stream] of targets) {
      const channel = createMeshChannel(address);
      try {
        const client = createClient({ call: rawMethod(path, stream) } as never, channel) as { call(r: unknown): Promise<unknown> };
        for (const [name, bytes] of Object.entries(payloads)) {
          const f = await failureOf(() =>
            client.call(
              stream
                ? (async function* () {
                    yield bytes;
                  })()
                : bytes,
            ),
          );
          assert.equal(f.code, "INVALID_ARGUMENT", `${path} ${name}: ${f.code} ${f.message}`);
          assert.match(f.message, /not a valid protobuf message/);
        }
      } finally {
        channel.close();
      }
    }
  });

  it("refuses a request_id over 256 bytes and a run_id over 128, naming the field, on both calls", async () => {
    for (const [overrides, field] of [
      [{ requestId: "r".repeat(257) }, "request_id"],
      [{ runId: "é".repeat(65) }, "run_id"],
    ] as const) {
      const unary = await failureOf(() => mesh.client.scoreGroup(mesh.request(overrides)));
      assert.deepEqual([unary.code, unary.fields], ["INVALID_ARGUMENT", [field]]);
      const streamed = await failureOf(() =>
        mesh.client.streamGroup(
          (async function* () {
            yield { item: { $case: "group" as const, value: mesh.request(overrides) } };
          })(),
        ),
      );
      assert.deepEqual([streamed.code, streamed.fields], ["INVALID_ARGUMENT", [field]]);
    }
  });

  it("ends StreamGroup calls that never speak, and holds one connection to its stream budget", async () => {
    const silent = mesh.newClient();
    const cancel = new AbortController();
    const t0 = performance.now();
    // Eight streams on one connection that open and say nothing (--max-in-flight is 8).
    const outcomes = Array.from({ length: 8 }, () =>
      silent
        .streamGroup(
          // biome-ignore lint/correctness/useYield: a stream that opens and never sends a message
          (async function* () {
            await never();
          })(),
          { signal: cancel.signal },
        )
        .then(
          () => ({ code: "OK", ms: 0, message: "" }),
          (err) => ({ code: describeError(err).code, ms: performance.now() - t0, message: describeError(err).message }),
        ),
    );
    // Meanwhile another client is served: the silent one holds at most 4 of the 8 slots.
    const other = (await mesh.newClient().scoreGroup(mesh.request())).group!;
    assert.equal(other.responses[0].outcomeReward, 1);
    const done = await Promise.all(outcomes);
    cancel.abort();
    const refused = done.filter((o) => o.code === "RESOURCE_EXHAUSTED");
    const ended = done.filter((o) => o.code === "DEADLINE_EXCEEDED");
    assert.deepEqual([refused.length, ended.length], [4, 4], JSON.stringify(done));
    for (const o of refused) assert.ok(o.ms < FIRST_MESSAGE_MS * 0.9, `refused at once, not timed out (${o.ms} ms)`);
    for (const o of ended) assert.ok(o.ms >= FIRST_MESSAGE_MS * 0.9 && o.ms < FIRST_MESSAGE_MS * 5, `ended after the first-message limit (${o.ms} ms)`);
    assert.match(ended[0].message, /--stream-first-message-ms/);
    // A stream that sends its group, then stalls past --stream-idle-ms.
    const stalled = await failureOf(() =>
      mesh.client.streamGroup(
        (async function* () {
          yield { item: { $case: "group" as const, value: mesh.request({ responses: [] }) } };
          await never();
        })(),
      ),
    );
    assert.equal(stalled.code, "DEADLINE_EXCEEDED");
    assert.match(stalled.message, /--stream-idle-ms/);
  });

  it("refuses a 36 MP image within --max-pixels whose raw pixels exceed the message limit, saying which limit to raise", async () => {
    const png = await sharp({ create: { width: 6000, height: 6000, channels: 3, background: "#ffffff" } })
      .png({ compressionLevel: 1 })
      .toBuffer();
    const f = await failureOf(() => mesh.client.scoreGroup(mesh.request({ image: { source: { $case: "encoded", value: png } } })));
    assert.deepEqual([f.code, f.fields], ["INVALID_ARGUMENT", ["image"]]);
    assert.match(f.message, /6000x6000 image is 108000000 bytes of raw pixels.*raise --max-message-bytes on the reward, renderer and PRM services/);
    writeFileSync(join(mesh.imageRoot, "huge.png"), png);
    const label = JSON.stringify({ image: "huge.png", question: "q", references: ["1"] });
    const res = await fetch(mesh.httpUrl, { method: "POST", body: JSON.stringify({ query: ["Answer: 1"], prompts: [""], labels: [label] }) });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /--max-message-bytes/);
  });

  it("answers 80 concurrent POSTs over --max-in-flight 8 with a fast 503 and Retry-After", async (t) => {
    const payload = body(10);
    const results = await Promise.all(
      Array.from({ length: 80 }, async () => {
        const start = performance.now();
        const res = await fetch(mesh.httpUrl, { method: "POST", body: payload });
        const ms = performance.now() - start;
        await res.arrayBuffer();
        return { status: res.status, retryAfter: res.headers.get("retry-after"), ms };
      }),
    );
    const rejected = results.filter((r) => r.status === 503);
    const scored = results.filter((r) => r.status === 200);
    assert.equal(rejected.length + scored.length, 80, JSON.stringify(results.map((r) => r.status)));
    assert.ok(scored.length >= 8 && rejected.length >= 60, `${scored.length} scored, ${rejected.length} refused`);
    assert.ok(rejected.every((r) => r.retryAfter === "1"));
    const ms = rejected.map((r) => r.ms).sort((a, b) => a - b);
    const slowestScored = Math.min(...scored.map((r) => r.ms));
    t.diagnostic(
      `503 latency: median ${ms[ms.length >> 1].toFixed(0)} ms, max ${ms[ms.length - 1].toFixed(0)} ms; fastest scored request ${slowestScored.toFixed(0)} ms`,
    );
    assert.ok(ms[ms.length - 1] < 1500, `refused at once (slowest ${ms[ms.length - 1]} ms), before any sample is scored`);
  });
});
