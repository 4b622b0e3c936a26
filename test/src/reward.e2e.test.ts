// The reward service end to end: renderer, PRM, trainer and reward each as its own process, a
// ChartWorld group through ScoreGroup, StreamGroup and the OpenRLHF HTTP endpoint. The PRM serves
// its seeded "random" model here so these tests do not depend on the trained model's numbers.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FailureKind, type GroupRewards, RewardServiceDefinition, type ScoreGroupRequest, RewardTask } from "@sketchvl/contract";
import { freePort, type RunningProcess } from "@sketchvl/launcher";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import { Metadata } from "nice-grpc";
import { type ChartGroup, chartWorldGroup } from "./support/chartworldGroup";
import { failureOf, startService } from "./support/mesh";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "./support/otlp";
import { rewardServiceArgs } from "./support/rewardMesh";

type Client = ReturnType<typeof createMeshClient<typeof RewardServiceDefinition>>;

/** Whitespace tokenization: where each token starts, in code points (a stand-in for a real tokenizer's offsets). */
function whitespaceOffsets(text: string): number[] {
  const chars = [...text];
  const offsets: number[] = [];
  chars.forEach((c, i) => {
    if (!/\s/.test(c) && (i === 0 || /\s/.test(chars[i - 1]))) offsets.push(i);
  });
  return offsets;
}

describe("reward service", () => {
  const processes: RunningProcess[] = [];
  let client: Client;
  let close: () => void;
  let httpUrl: string;
  let group: ChartGroup;
  let repo: string;
  let imageRoot: string;
  let trainerState: string;
  let otlp: OtlpReceiver;

  before(async () => {
    group = await chartWorldGroup();
    repo = mkdtempSync(join(tmpdir(), "reward-models-"));
    mkdirSync(join(repo, "random", "1"), { recursive: true });
    writeFileSync(join(repo, "random", "1", "config.json"), JSON.stringify({ backend: "random", seed: 7 }));
    imageRoot = mkdtempSync(join(tmpdir(), "reward-images-"));
    trainerState = mkdtempSync(join(tmpdir(), "reward-trainer-state-"));
    writeFileSync(join(imageRoot, "chart.png"), group.png);
    const quiet = ["--log-level", "warn"];
    otlp = await startOtlpReceiver();
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_BSP_SCHEDULE_DELAY: "100" };
    const [renderer, prm, trainer] = await Promise.all([
      startService("renderer", { args: quiet, env }),
      startService("prm", { args: [...quiet, "--model-repository", repo, "--load-models", "random", "--default-model", "random"], env }),
      startService("trainer", { args: [...quiet, "--state-dir", trainerState], env }),
    ]);
    processes.push(renderer, prm, trainer);
    const httpPort = await freePort();
    const reward = await startService("reward", {
      args: [...quiet, ...rewardServiceArgs({ renderer, prm, trainer }, httpPort, imageRoot)],
      env,
    });
    processes.push(reward);
    httpUrl = `http://127.0.0.1:${httpPort}/get_reward`;
    const channel = createMeshChannel(reward.address);
    client = createMeshClient(RewardServiceDefinition, channel, { deadlineMs: 60_000 });
    close = () => channel.close();
  });

  after(async () => {
    close?.();
    await Promise.all(processes.map((p) => p.stop()));
    rmSync(repo, { recursive: true, force: true });
    rmSync(imageRoot, { recursive: true, force: true });
    rmSync(trainerState, { recursive: true, force: true });
    await otlp?.close();
  });

  const request = (overrides: Partial<ScoreGroupRequest> = {}): ScoreGroupRequest => {
    const r = group.responses;
    const texts = [r.expert, r.wrongAnswer, r.malformed, r.offImage];
    return {
      requestId: "",
      runId: "e2e",
      batchIndex: 0,
      image: { source: { $case: "encoded", value: group.png } },
      question: group.question,
      references: [group.answer],
      responses: texts.map((text, i) => ({
        id: ["expert", "wrong", "malformed", "offImage"][i],
        text,
        tokenOffsets: i === 0 ? whitespaceOffsets(text) : [],
        imageTokenSpans: [],
      })),
      outcome: undefined,
      finepo: undefined,
      prmModel: "",
      useArgmaxScore: false,
      format: 0,
      sampleTimeoutMs: 0,
      task: RewardTask.REWARD_TASK_DRAW_AND_ANSWER,
      chartCode: undefined,
      ...overrides,
    };
  };

  let first: GroupRewards;

  it("scores a ChartWorld group: outcome, process scores, FinePO step and token advantages", async () => {
    first = (await client.scoreGroup(request({ requestId: "g1" }))).group!;
    const [expert, wrong, malformed, offImage] = first.responses;
    assert.deepEqual(
      first.responses.map((r) => r.outcomeReward),
      [1, 0, 1, 0],
    );
    // Coarse advantages: R - mean(R) over the group (no std division).
    assert.deepEqual(
      first.responses.map((r) => r.coarseAdvantage),
      [0.5, -0.5, 0.5, -0.5],
    );
    assert.equal(expert.steps.length, group.expert.steps.length);
    for (const s of expert.steps) {
      assert.ok(s.processScore >= 1 && s.processScore <= 4);
      assert.equal(s.probabilities.length, 4);
      assert.ok(s.advantage >= 0 && s.advantage <= 2 * 0.5, "a successful response's steps stay in [0, beta*A]");
    }
    for (const s of wrong.steps) assert.ok(s.advantage <= 0 && s.advantage >= -1, "a failed response's steps stay in [beta*A, 0]");
    // Malformed output: a format failure, no process credit, but a real sample (not masked).
    assert.equal(malformed.failureKind, FailureKind.FAILURE_KIND_FORMAT);
    assert.equal(malformed.maskSample, false);
    assert.equal(malformed.steps.length, 0);
    assert.equal(offImage.failureKind, FailureKind.FAILURE_KIND_FORMAT);
    assert.equal(offImage.maskSample, false);
    // Drawing off the image is caught by the parser: a per-step format error naming the number.
    assert.equal(offImage.steps.length, 0);
    assert.match(offImage.formatErrors[0].field, /^action\.coordinates/);
    // Token views for the response that sent its offsets.
    const tokens = whitespaceOffsets(group.responses.expert).length;
    assert.equal(expert.tokenAdvantages.length, tokens);
    assert.equal(expert.lossMask.length, tokens);
    assert.equal(expert.tokenProcessScores.length, tokens);
    const lastTokenOfStep0 = expert.steps[0].tokenSpan!.end - 1;
    assert.ok(Math.abs(expert.tokenProcessScores[lastTokenOfStep0] - expert.steps[0].processScore) < 1e-5);
    assert.ok(Math.abs(expert.tokenAdvantages[expert.steps[0].tokenSpan!.start] - expert.steps[0].advantage) < 1e-5);
    assert.ok(Math.abs(expert.meanProcessScore - expert.steps.reduce((a, s) => a + s.processScore, 0) / expert.steps.length) < 1e-9);
    assert.match(first.imageDigest, /^sha256:/);
    for (const stage of ["image", "parse", "render", "prm", "finepo"]) assert.ok(first.stageMs[stage] >= 0, stage);
  });

  it("a Text step is not rated, and its mark stays on the image the next steps are rated on", async () => {
    // The expert's first step, a Text label, then the expert's remaining steps.
    const lines = group.responses.expert.split("\n");
    const at = lines.findIndex((l) => /^Action2:/.test(l));
    const withText = [
      ...lines.slice(0, at - 1),
      'Intent2: Label the answer\nAction2: #Draw Text, [500,500], "here", Blue',
      ...lines.slice(at - 1).map((l) => l.replace(/^(Intent|Action|Deduction)(\d+)/, (_, k, n) => `${k}${Number(n) + 1}`)),
    ].join("\n");
    const scored = (
      await client.scoreGroup(request({ requestId: "text-step", responses: [{ id: "text", text: withText, tokenOffsets: [], imageTokenSpans: [] }] }))
    ).group!.responses[0];
    assert.equal(scored.maskSample, false, scored.failureReason);
    assert.equal(scored.steps.length, group.expert.steps.length + 1);
    const text = scored.steps[1];
    assert.equal(text.excluded, true);
    assert.equal(text.probabilities.length, 0);
    for (const s of scored.steps.filter((x) => !x.excluded)) assert.ok(s.processScore >= 1 && s.processScore <= 4);
  });

  it("is idempotent by request id, and takes the image by digest the second time", async () => {
    const again = (await client.scoreGroup(request({ requestId: "g1" }))).group!;
    assert.deepEqual(again, first);
    const byDigest = (await client.scoreGroup(request({ requestId: "g2", image: { source: { $case: "digest", value: first.imageDigest } } }))).group!;
    assert.deepEqual(
      byDigest.responses.map((r) => r.outcomeReward),
      [1, 0, 1, 0],
    );
  });

  it("streams responses one by one and answers the same as the whole group", async () => {
    const whole = request();
    async function* messages() {
      yield { item: { $case: "group" as const, value: { ...whole, responses: [] } } };
      for (const response of whole.responses) {
        await new Promise((r) => setTimeout(r, 20)); // generation finishing at different times
        yield { item: { $case: "response" as const, value: response } };
      }
    }
    const streamed = (await client.streamGroup(messages())).group!;
    assert.deepEqual(
      streamed.responses.map((r) => [r.id, r.outcomeReward, r.steps.map((s) => s.advantage)]),
      first.responses.map((r) => [r.id, r.outcomeReward, r.steps.map((s) => s.advantage)]),
    );
  });

  it("masks samples the mesh could not score — never a reward of 0 that looks real", async () => {
    const broken = (await client.scoreGroup(request({ prmModel: "no-such-model" }))).group!;
    const [expert, wrong, malformed, offImage] = broken.responses;
    for (const r of [expert, wrong]) {
      assert.equal(r.maskSample, true, r.id);
      assert.equal(r.failureKind, FailureKind.FAILURE_KIND_INFRASTRUCTURE);
      assert.match(r.failureReason, /no-such-model/);
      if (r.id === "expert") {
        // One entry per token, as for any sample (a trainer stacks them as they are), all kept out of the loss.
        const tokens = whitespaceOffsets(group.responses.expert).length;
        assert.deepEqual([r.tokenAdvantages.length, r.lossMask.length, r.tokenProcessScores.length], [tokens, tokens, tokens]);
        assert.ok(r.lossMask.every((m) => m === false) && r.tokenAdvantages.every((a) => a === 0), "a masked sample carries no advantages");
      }
    }
    // Responses that never reached the PRM are still scored: their failure is the policy's format.
    for (const r of [malformed, offImage]) assert.deepEqual([r.maskSample, r.failureKind], [false, FailureKind.FAILURE_KIND_FORMAT]);
    assert.deepEqual([malformed.coarseAdvantage, offImage.coarseAdvantage], [0.5, -0.5], "the group mean is over unmasked samples");
    const slow = (await client.scoreGroup(request({ sampleTimeoutMs: 1 }))).group!;
    assert.ok(slow.responses.some((r) => r.maskSample && r.failureKind === FailureKind.FAILURE_KIND_TIMEOUT));
  });

  it("reports bad input per sample, and refuses a group without references", async () => {
    const req = request();
    req.responses[1].tokenOffsets = [0, 10, 5];
    const answer = (await client.scoreGroup(req)).group!;
    assert.equal(answer.responses[1].failureKind, FailureKind.FAILURE_KIND_INVALID_INPUT);
    assert.equal(answer.responses[1].maskSample, true);
    assert.match(answer.responses[1].failureReason, /responses\[1\]\.token_offsets\[2\]/);
    assert.equal(answer.responses[0].maskSample, false, "the rest of the group is scored");
    const none = await failureOf(() => client.scoreGroup(request({ references: [] })));
    assert.deepEqual([none.code, none.fields], ["INVALID_ARGUMENT", ["references"]]);
    const unknown = await failureOf(() => client.scoreGroup(request({ image: { source: { $case: "digest", value: `sha256:${"1".repeat(64)}` } } })));
    assert.deepEqual([unknown.code, unknown.fields], ["NOT_FOUND", ["image.digest"]]);
  });

  it("is one trace end to end: reward, renderer, PRM (queue and batch spans) and trainer", async () => {
    const traceId = randomBytes(16).toString("hex");
    await client.scoreGroup(request({ requestId: "traced" }), { metadata: Metadata({ traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` }) });
    const expected = [
      "sketchvl-reward grpc.sketchvl.v1.RewardService/ScoreGroup",
      "sketchvl-renderer grpc.sketchvl.v1.RendererService/RenderTrajectories",
      "sketchvl-prm grpc.sketchvl.v1.PrmService/ScoreSteps",
      "sketchvl-prm prm.queue",
      "sketchvl-trainer grpc.sketchvl.v1.TrainerService/ComputeAdvantages",
    ];
    // Each service exports on its own schedule (the reward's server span ends last): wait for all.
    const namesIn = (all: ReceivedSpan[]) => new Set(all.filter((x) => x.traceId === traceId).map((x) => `${x.service} ${x.name}`));
    const spans = await otlp.waitFor((all) => expected.every((e) => namesIn(all).has(e))); // fails naming what did arrive
    const mine = spans.filter((x) => x.traceId === traceId);
    // A batch span is its own trace (it serves many requests) linked to the queue spans it served.
    const queued = mine.filter((x) => x.name === "prm.queue").map((x) => x.spanId);
    await otlp.waitFor((all) => all.some((x) => x.name === "prm.batch" && x.links.some((l) => queued.includes(l))));
  });

  it("scores a group through a PRM replica that keeps no images (evicted, restarted, another replica)", async () => {
    // --store-bytes 1: the replica stores nothing, so every digest and patch base it is sent is
    // unknown; the reward service must then send the images themselves.
    const [renderer, trainer] = [processes[0], processes[2]];
    const forgetful = await startService("prm", {
      args: ["--log-level", "warn", "--model-repository", repo, "--load-models", "random", "--default-model", "random", "--store-bytes", "1"],
    });
    processes.push(forgetful);
    const reward = await startService("reward", {
      args: [
        "--log-level",
        "warn",
        "--renderer-address",
        renderer.address,
        "--prm-address",
        forgetful.address,
        "--trainer-address",
        trainer.address,
        "--http-port=-1",
      ],
    });
    processes.push(reward);
    const channel = createMeshChannel(reward.address);
    try {
      const other = createMeshClient(RewardServiceDefinition, channel, { deadlineMs: 60_000 });
      const got = (await other.scoreGroup(request({ requestId: "forgetful" }))).group!;
      const expert = got.responses[0];
      assert.equal(expert.maskSample, false, expert.failureReason);
      assert.equal(expert.steps.length, group.expert.steps.length);
      // The random PRM is seeded by step, so the scores are the ones the first replica gave.
      assert.deepEqual(
        expert.steps.map((s) => s.probabilities),
        first.responses[0].steps.map((s) => s.probabilities),
      );
    } finally {
      channel.close();
    }
  });

  describe("a dependency that fails when a group starts", () => {
    // Reward replicas whose PRM, renderer or trainer address has nothing listening (down, not yet
    // up): each fault answers with its own status, never INTERNAL.
    const rewards: Record<"noPrm" | "noRenderer" | "noTrainer", { client: Client; http: string }> = {} as never;
    const channels: Array<{ close(): void }> = [];

    before(async () => {
      const [renderer, prm, trainer] = processes.map((p) => p.address);
      const dead = async () => `127.0.0.1:${await freePort()}`;
      const start = async (peers: [string, string, string]) => {
        const httpPort = await freePort();
        const reward = await startService("reward", {
          args: [
            "--log-level",
            "error",
            "--renderer-address",
            peers[0],
            "--prm-address",
            peers[1],
            "--trainer-address",
            peers[2],
            "--http-port",
            String(httpPort),
            "--image-root",
            imageRoot,
            "--call-deadline-ms",
            "3000",
          ],
        });
        processes.push(reward);
        const channel = createMeshChannel(reward.address);
        channels.push(channel);
        return { client: createMeshClient(RewardServiceDefinition, channel, { deadlineMs: 30_000 }), http: `http://127.0.0.1:${httpPort}/get_reward` };
      };
      [rewards.noPrm, rewards.noRenderer, rewards.noTrainer] = await Promise.all([
        start([renderer, await dead(), trainer]),
        start([await dead(), prm, trainer]),
        start([renderer, prm, await dead()]),
      ]);
    });

    after(() =>
      channels.forEach((c) => {
        c.close();
      }),
    );

    it("PRM down: each response it would rate is masked INFRASTRUCTURE; the rest of the group is answered", async () => {
      const got = (await rewards.noPrm.client.scoreGroup(request({ requestId: "no-prm" }))).group!;
      const [expert, wrong, malformed, offImage] = got.responses;
      for (const r of [expert, wrong]) {
        assert.deepEqual([r.maskSample, r.failureKind], [true, FailureKind.FAILURE_KIND_INFRASTRUCTURE], r.id);
        assert.match(r.failureReason, /^prm: prm: UNAVAILABLE/);
        assert.ok(r.lossMask.every((m) => m === false) && r.tokenAdvantages.every((a) => a === 0));
      }
      // Format failures never needed the PRM: graded and in the group mean, as with a PRM up.
      for (const r of [malformed, offImage]) assert.deepEqual([r.maskSample, r.failureKind], [false, FailureKind.FAILURE_KIND_FORMAT]);
      assert.deepEqual([malformed.coarseAdvantage, offImage.coarseAdvantage], [0.5, -0.5]);
    });

    it("renderer down: nothing can be parsed, so the group is UNAVAILABLE (retryable), not INTERNAL", async () => {
      const f = await failureOf(() => rewards.noRenderer.client.scoreGroup(request({ requestId: "no-renderer" })));
      assert.equal(f.code, "UNAVAILABLE");
      assert.match(f.message, /^renderer: UNAVAILABLE/);
    });

    it("trainer down: no advantages can be computed, so the group is UNAVAILABLE", async () => {
      const f = await failureOf(() => rewards.noTrainer.client.scoreGroup(request({ requestId: "no-trainer" })));
      assert.deepEqual([f.code, /^trainer: UNAVAILABLE/.test(f.message)], ["UNAVAILABLE", true]);
    });

    it("a trainer FAILED_PRECONDITION or INVALID_ARGUMENT keeps its code (and names our field)", async () => {
      // A run whose stored config the trainer cannot use (a hand edit, a torn write).
      writeFileSync(join(trainerState, "precondition.config.json"), "{not json");
      const old = await failureOf(() => client.scoreGroup(request({ runId: "precondition" })));
      assert.equal(old.code, "FAILED_PRECONDITION");
      assert.match(old.message, /^trainer: run "precondition": stored config .* is unusable/);
      // The trainer names its own request's field (config.alpha); the caller reads ours.
      const finepo = { mode: 0, alpha: 1.5 };
      const bad = await failureOf(() => client.scoreGroup(request({ finepo })));
      assert.deepEqual([bad.code, bad.fields], ["INVALID_ARGUMENT", ["finepo.alpha"]]);
    });

    it("over HTTP: a dependency down answers 503 with Retry-After (OpenRLHF retries), never 500", async () => {
      const prompt = "<|im_start|>assistant\n";
      const body = JSON.stringify({
        query: [prompt + group.responses.expert],
        prompts: [prompt],
        labels: [JSON.stringify({ image: "chart.png", answer: group.answer })],
      });
      for (const url of [rewards.noPrm.http, rewards.noRenderer.http]) {
        const res = await fetch(url, { method: "POST", body });
        assert.equal(res.status, 503, url);
        assert.equal(res.headers.get("retry-after"), "1");
        assert.match(((await res.json()) as { error: string }).error, /UNAVAILABLE.*retry$/);
      }
    });
  });

  describe("OpenRLHF HTTP endpoint", () => {
    const post = (body: unknown) => fetch(httpUrl, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

    it("answers empty lists with empty lists", async () => {
      const res = await post({ query: [], prompts: [], labels: [] });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { rewards: [], scores: [], extra_logs: { process_mean: [], process_min: [], process_score: [], format_ok: [] } });
    });

    it("scores query = prompt + response with the image by digest or by path", async () => {
      const prompt = `<|im_start|>user\n<image>${group.question}<|im_end|>\n<|im_start|>assistant\n`;
      const labels = [
        JSON.stringify({ image: first.imageDigest, question: group.question, references: [group.answer] }),
        JSON.stringify({ image: "chart.png", question: group.question, answer: group.answer }),
      ];
      const query = [`${prompt + group.responses.expert}<|im_end|>`, `${prompt + group.responses.wrongAnswer}<|im_end|>`];
      const res = await post({ query, prompts: [prompt, prompt], labels });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { rewards: number[]; scores: number[]; extra_logs: Record<string, number[]> };
      assert.deepEqual(body.rewards, [1, 0]);
      assert.deepEqual(body.scores, [1, 0], "scores: 0/1 correctness, what dynamic filtering reads");
      for (const s of body.extra_logs.process_score) assert.ok(s >= 0.25 && s <= 1);
      assert.deepEqual(body.extra_logs.format_ok, [1, 1]);
    });

    it("answers 400 naming what is wrong with a label, and refuses paths outside the image root", async () => {
      const bad = await post({ query: ["x"], prompts: [""], labels: ["not json"] });
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { error: string }).error, /labels\[0\]/);
      const escaped = await post({ query: ["x"], prompts: [""], labels: [JSON.stringify({ image: "../../etc/passwd", references: ["1"] })] });
      assert.equal(escaped.status, 400);
      const lengths = await post({ query: ["x"], prompts: [], labels: [] });
      assert.equal(lengths.status, 400);
    });

    const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

    it("answers 400 naming what was expected for a body that is not an object or lacks fields ({} is not a request)", async () => {
      for (const body of [null, [], 5, "text"]) {
        const res = await post(body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.match(await errorOf(res), /body must be a JSON object \{"query".*got (null|an array|number|string)$/);
      }
      const empty = await post({});
      assert.equal(empty.status, 400);
      assert.match(await errorOf(empty), /^missing query, prompts, labels/);
      const noLabels = await post({ query: [], prompts: [] });
      assert.match(await errorOf(noLabels), /^missing labels:/);
      const notList = await post({ query: "x", prompts: [""], labels: ["{}"] });
      assert.deepEqual([notList.status, await errorOf(notList)], [400, "query must be a list of strings, got string"]);
      const notString = await post({ query: [1], prompts: [""], labels: ["{}"] });
      assert.deepEqual([notString.status, await errorOf(notString)], [400, "query[0] must be a string, got number"]);
      const nullLabel = await post({ query: ["x"], prompts: [""], labels: ["null"] });
      assert.deepEqual([nullLabel.status, /^labels\[0\]: must be a JSON object/.test(await errorOf(nullLabel))], [400, true]);
      const notJson = await fetch(httpUrl, { method: "POST", body: "{" });
      assert.deepEqual([notJson.status, /^body is not JSON/.test(await errorOf(notJson))], [400, true]);
    });

    it("answers 400, not 503, for a sample that can never be scored (masked INVALID_INPUT)", async () => {
      const label = JSON.stringify({ image: "chart.png", answer: group.answer });
      const res = await post({ query: ["x".repeat(200_001)], prompts: [""], labels: [label] });
      assert.equal(res.status, 400);
      assert.match(await errorOf(res), /200001 characters; the limit is 200000/);
    });

    it("refuses a body over --http-max-body-bytes with 413, by its length or while reading it", async () => {
      const big = await fetch(httpUrl, { method: "POST", body: Buffer.alloc(5 * 1024 * 1024, 32) });
      assert.equal(big.status, 413);
      assert.match(await errorOf(big), /the limit is 4194304/);
      // No Content-Length: a 32 MiB stream is answered once it passes the limit, not read to its end.
      let sent = 0;
      const endless = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await new Promise((r) => setImmediate(r));
          if (sent >= 32 * 1024 * 1024) return controller.close();
          sent += 64 * 1024;
          controller.enqueue(new Uint8Array(64 * 1024).fill(32));
        },
      });
      const upload = new AbortController();
      try {
        const streamed = await fetch(httpUrl, { method: "POST", body: endless, duplex: "half", signal: upload.signal } as RequestInit);
        assert.equal(streamed.status, 413);
        assert.ok(sent < 16 * 1024 * 1024, `${sent} bytes sent before the answer`);
        assert.match(await errorOf(streamed), /body over 4194304 bytes/);
      } finally {
        upload.abort();
      }
    });

    it("answers 404 for other paths and 405 for other methods", async () => {
      const other = await fetch(httpUrl.replace(/get_reward$/, "reward"), { method: "POST", body: "{}" });
      assert.equal(other.status, 404);
      const get = await fetch(httpUrl);
      assert.deepEqual([get.status, get.headers.get("allow")], [405, "POST"]);
      await Promise.all([other.body?.cancel(), get.body?.cancel()]);
    });
  });
});
