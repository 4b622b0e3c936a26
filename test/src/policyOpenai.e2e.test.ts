// The policy service's openai-compatible backend (a vLLM / SGLang policy on GPU nodes), as its own
// process beside a real renderer, against FakeOpenAiServer (a scripted stand-in speaking the same
// protocol; no real model runs here): conversations with the annotated image as a new user turn,
// token ids, log-probs and code-point offsets from the endpoint's logprobs, retries on 503, and a
// failing endpoint reported as UNAVAILABLE after its bounded retries.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FinishReason, PolicyServiceDefinition } from "@sketchvl/contract";
import type { RunningProcess } from "@sketchvl/launcher";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import sharp from "sharp";
import { type FakeOpenAiServer, startFakeOpenAi } from "./support/fakeOpenAiServer";
import { failureOf, startService } from "./support/mesh";

const TURNS = ["Intent1: Box the 2015 bar → tallest\nAction1: #Draw Box, [200,300,800,420], Red\n", "Answer: 2015 (é)"];

describe("policy service: openai-compatible backend", () => {
  let fake: FakeOpenAiServer;
  let down: FakeOpenAiServer;
  let repo: string;
  let renderer: RunningProcess;
  let policy: RunningProcess;
  let client: ReturnType<typeof createMeshClient<typeof PolicyServiceDefinition>>;
  let close: () => void;
  let png: Buffer;

  before(async () => {
    png = await sharp({ create: { width: 320, height: 200, channels: 3, background: "#ffffff" } })
      .png()
      .toBuffer();
    fake = await startFakeOpenAi({ turns: TURNS, failFirst: { count: 2, status: 503 } });
    down = await startFakeOpenAi({ turns: TURNS, alwaysStatus: 500 });
    repo = mkdtempSync(join(tmpdir(), "policy-remote-"));
    const endpoint = { model: "sketchvl-7b", timeoutMs: 5000, requestsPerSecond: 200, maxConcurrency: 4 };
    for (const [name, config] of [
      ["remote", { backend: "openai-compatible", url: fake.url, maxRetries: 3, ...endpoint }],
      ["down", { backend: "openai-compatible", url: down.url, maxRetries: 1, ...endpoint }],
    ] as const) {
      mkdirSync(join(repo, name, "1"), { recursive: true });
      writeFileSync(join(repo, name, "1", "config.json"), JSON.stringify(config));
    }
    renderer = await startService("renderer", { args: ["--log-level", "warn"] });
    policy = await startService("policy", {
      args: [
        "--log-level",
        "warn",
        "--renderer-address",
        renderer.address,
        "--model-repository",
        repo,
        "--default-model",
        "remote",
        "--load-models",
        "remote,down",
      ],
    });
    const channel = createMeshChannel(policy.address);
    client = createMeshClient(PolicyServiceDefinition, channel, { deadlineMs: 30_000 });
    close = () => channel.close();
  });

  after(async () => {
    close?.();
    await policy?.stop();
    await renderer?.stop();
    await fake?.close();
    await down?.close();
    rmSync(repo, { recursive: true, force: true });
  });

  it("turns are chat turns: the drawn image comes back as a user message; tokens, log-probs and offsets from logprobs", async () => {
    const { rollouts, imageDigest } = await client.generate({
      requestId: "",
      model: "",
      image: { source: { $case: "encoded", value: png } },
      question: "Which year is tallest?",
      sampling: { groupSize: 2, maxTurns: 4, maxTokensPerTurn: 0, temperature: 0.7, seed: 3 },
      returnModelInputs: false,
    });
    assert.equal(fake.requests.filter((r) => r.status === 503).length, 2, "two 503s were retried");
    for (const r of rollouts) {
      assert.equal(r.text, `${TURNS[0]}<image>${TURNS[1]}`);
      assert.equal(r.finishReason, FinishReason.FINISH_REASON_STOP);
      assert.deepEqual([r.model, r.version, r.promptTokenIds.length], ["remote", "1", 0]);
      assert.deepEqual(
        r.turns.map((t) => [t.text, t.actionsDrawn]),
        [
          [TURNS[0], 1],
          [TURNS[1], 0],
        ],
      );
      assert.equal(r.turns[0].imageDigest, imageDigest);
      assert.notEqual(r.turns[1].imageDigest, imageDigest, "the second turn saw the annotated image");
      // Offsets in code points: "→" and "é" are one each, however their bytes were split into tokens.
      const text = [...r.text];
      const pieces = r.tokenOffsets.map((o, i) => text.slice(o, r.tokenOffsets[i + 1] ?? text.length).join(""));
      assert.equal(pieces.join(""), r.text);
      const marker = r.imageTokenSpans[0].start;
      assert.deepEqual([pieces[marker], r.lossMask[marker], r.logprobs[marker]], ["<image>", false, 0]);
      assert.ok(
        r.tokenIds.every((id, i) => i === marker || id >= 1000),
        "ids from token_id:<n>",
      );
      assert.ok(r.logprobs.every((lp, i) => i === marker || lp < 0));
    }
    const answered = fake.requests.filter((r) => r.status === 200);
    assert.equal(answered.length, 4, "two turns of two rollouts");
    const second = answered.find((r) => r.body.messages.length > 1)!.body;
    assert.deepEqual(
      second.messages.map((m) => m.role),
      ["user", "assistant", "user"],
    );
    const urls = second.messages.flatMap((m) => (Array.isArray(m.content) ? m.content.flatMap((c) => (c.image_url ? [c.image_url.url] : [])) : []));
    assert.equal(urls.length, 2);
    assert.ok(urls.every((u) => u.startsWith("data:image/png;base64,")));
    assert.notEqual(urls[0], urls[1], "the annotated image differs from the chart");
    assert.deepEqual([second.logprobs, second.return_tokens_as_token_ids, second.model], [true, true, "sketchvl-7b"]);
  });

  it("an endpoint that keeps failing is UNAVAILABLE after its bounded retries", async () => {
    const before = down.requests.length;
    const f = await failureOf(() =>
      client.generate({
        requestId: "",
        model: "down",
        image: { source: { $case: "encoded", value: png } },
        question: "Which year is tallest?",
        sampling: { groupSize: 1, maxTurns: 2, maxTokensPerTurn: 0 },
        returnModelInputs: false,
      }),
    );
    assert.equal(f.code, "UNAVAILABLE");
    assert.match(f.message, /HTTP 500/);
    assert.equal(down.requests.length - before, 2, "one try and one retry");
  });
});
