// The policy service as its own process beside a real renderer, serving the test fixture
// (services/policy/test-fixtures: the learner's ONNX export, fitted to write SketchVL text):
// groups of draw-and-look rollouts whose records agree with themselves and with the renderer,
// streaming, SamplingParams checks, a version switch under load with zero failed requests, a
// version refused by its check.json, and readiness following the default policy.
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { iterateExamples, rasterizeSvg } from "@sketchvl/chartworld";
import { FinishReason, type GenerateRequest, ImageFormat, PolicyServiceDefinition, RendererServiceDefinition, type Rollout } from "@sketchvl/contract";
import { decodeImage } from "@sketchvl/drawing";
import { repoRoot, type RunningProcess } from "@sketchvl/launcher";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import { createChannel, createClient } from "nice-grpc";
import { HealthDefinition } from "nice-grpc-server-health";
import { failureOf, startService } from "./support/mesh";

const FIXTURE = join(repoRoot, "services", "policy", "test-fixtures", "sketchvl-policy", "1");
const SERVING = 1; // grpc.health.v1 SERVING

describe("policy service", () => {
  let repo: string;
  let renderer: RunningProcess;
  let policy: RunningProcess;
  let client: ReturnType<typeof createMeshClient<typeof PolicyServiceDefinition>>;
  let draw: ReturnType<typeof createMeshClient<typeof RendererServiceDefinition>>;
  let health: ReturnType<typeof createClient<typeof HealthDefinition>>;
  let close: () => void;
  let png: Buffer;
  let question: string;
  const request = (over: Partial<GenerateRequest> = {}): GenerateRequest => ({
    requestId: "",
    model: "",
    image: { source: { $case: "encoded", value: png } },
    question,
    sampling: { groupSize: 4, maxTurns: 4, maxTokensPerTurn: 0, temperature: 0.8, seed: 5 },
    returnModelInputs: false,
    ...over,
  });
  const readiness = async () => (await health.check({ service: "sketchvl.v1.PolicyService" })).status;

  before(async () => {
    // A ChartWorld chart and a question of the kind the fixture was fitted on.
    for await (const example of iterateExamples({ split: "train", count: 1 })) {
      png = await rasterizeSvg(example.chart.svg);
      question = example.questions[0].question;
    }
    repo = mkdtempSync(join(tmpdir(), "policy-models-"));
    cpSync(FIXTURE, join(repo, "sketchvl-policy", "1"), { recursive: true });
    renderer = await startService("renderer", { args: ["--log-level", "warn"] });
    policy = await startService("policy", { args: ["--log-level", "warn", "--renderer-address", renderer.address, "--model-repository", repo] });
    const channels = [createMeshChannel(policy.address), createMeshChannel(renderer.address), createChannel(policy.address)];
    client = createMeshClient(PolicyServiceDefinition, channels[0], { deadlineMs: 30_000 });
    draw = createMeshClient(RendererServiceDefinition, channels[1]);
    health = createClient(HealthDefinition, channels[2]);
    close = () =>
      channels.forEach((c) => {
        c.close();
      });
  });

  after(async () => {
    close?.();
    await policy?.stop();
    await renderer?.stop();
    rmSync(repo, { recursive: true, force: true });
  });

  it("Generate: k rollouts whose tokens, log-probs, offsets, turns and drawn images agree", async () => {
    const { rollouts, imageDigest } = await client.generate(request({ returnModelInputs: true }));
    assert.equal(rollouts.length, 4);
    for (const r of rollouts) checkRollout(r, imageDigest);
    const drawn = rollouts.flatMap((r) => r.turns).filter((t) => t.actionsDrawn > 0);
    assert.ok(drawn.length >= 4, "the fixture draws in its turns");
    assert.ok(rollouts.some((r) => r.finishReason === FinishReason.FINISH_REASON_STOP && /Answer: \S/.test(r.text)));
    // The renderer really drew: the image a later turn saw differs from the prompt, pixel for pixel.
    const r = rollouts.find((x) => x.turns.length > 1 && x.turns[0].actionsDrawn > 0)!;
    const later = await draw.render({
      image: { source: { $case: "digest", value: r.turns[1].imageDigest } },
      actions: [],
      outputFormat: ImageFormat.IMAGE_FORMAT_RAW,
    });
    const original = await decodeImage(png, { maxPixels: 1e8, maxBytes: 1e9 });
    const pixels = later.image!.image!.source!.$case === "raw" ? later.image!.image!.source!.value.pixels : assert.fail("raw pixels");
    assert.equal(pixels.length, original.pixels.length);
    assert.ok(!Buffer.from(pixels).equals(original.pixels), "marks were drawn on the chart");
    // What the policy saw of each turn's image, for the learner.
    assert.deepEqual(r.turns[1].modelInputShape, [3, 64, 64]);
    assert.equal(r.turns[1].modelInput.length, 3 * 64 * 64 * 4);
    assert.notDeepEqual(r.turns[1].modelInput, r.turns[0].modelInput);
    // The reward service's parser finds the steps that were drawn in the turns that drew them.
    const { parsed } = await draw.parseSteps({ text: r.text, format: 0 });
    const drawnSteps = parsed!.steps.filter((s) => s.turn < r.turns.length - 1);
    assert.equal(
      drawnSteps.length,
      r.turns.reduce((n, t) => n + t.actionsDrawn, 0),
    );
    assert.ok(drawnSteps.every((s) => r.turns[s.turn].actionsDrawn > 0));
    // Seeded: the same request gives the same rollouts.
    const again = await client.generate(request());
    assert.deepEqual(
      again.rollouts.map((x) => x.tokenIds),
      rollouts.map((x) => x.tokenIds),
    );
  });

  it("StreamGenerate: each turn and each rollout as it finishes, before the stream ends", async () => {
    const arrivals: Array<{ at: number; kind: string; rollout: number }> = [];
    for await (const e of client.streamGenerate({
      request: request({ sampling: { groupSize: 3, maxTurns: 4, maxTokensPerTurn: 0, temperature: 1, seed: 9 } }),
    })) {
      const kind = e.event!.$case;
      arrivals.push({ at: performance.now(), kind, rollout: kind === "turn" ? e.event!.value.rolloutIndex : (e.event!.value as Rollout).index });
    }
    const end = performance.now();
    const rollouts = arrivals.filter((a) => a.kind === "rollout");
    assert.deepEqual(rollouts.map((a) => a.rollout).sort(), [0, 1, 2]);
    for (const r of rollouts) {
      const turns = arrivals.filter((a) => a.kind === "turn" && a.rollout === r.rollout);
      assert.ok(turns.length >= 1 && turns.every((t) => t.at <= r.at), "a rollout's turns come before it");
    }
    assert.ok(end - arrivals[0].at > 5, "the first turn arrived before the group was done");
  });

  it("bad SamplingParams are INVALID_ARGUMENT naming the field and its range", async () => {
    const base = { groupSize: 2, maxTurns: 0, maxTokensPerTurn: 0 };
    const cases: Array<[object, string]> = [
      [{ groupSize: 65 }, "sampling.group_size"],
      [{ maxTurns: 9 }, "sampling.max_turns"],
      [{ maxTokensPerTurn: 513 }, "sampling.max_tokens_per_turn"],
      [{ temperature: 4.5 }, "sampling.temperature"],
      [{ topP: 0 }, "sampling.top_p"],
    ];
    for (const [change, field] of cases) {
      const f = await failureOf(() => client.generate(request({ sampling: { ...base, ...change } })));
      assert.deepEqual([f.code, f.fields], ["INVALID_ARGUMENT", [field]], JSON.stringify(change));
      assert.match(f.message, /out of range: .*\d/);
    }
    const image = await failureOf(() => client.generate(request({ image: { source: { $case: "encoded", value: Buffer.from("nope") } } })));
    assert.deepEqual([image.code, image.fields], ["INVALID_ARGUMENT", ["image.encoded"]]);
  });

  it("a caller's deadline ends its group; the service goes on", async () => {
    const f = await failureOf(() =>
      client.generate(request({ sampling: { groupSize: 8, maxTurns: 8, maxTokensPerTurn: 0, temperature: 1.5 } }), { deadline: new Date(Date.now() + 40) }),
    );
    assert.equal(f.code, "DEADLINE_EXCEEDED");
    assert.equal((await client.generate(request({ sampling: { groupSize: 1, maxTurns: 2, maxTokensPerTurn: 0 } }))).rollouts.length, 1);
  });

  it("a new version is loaded under Generate load with zero failed requests; later rollouts carry it", async () => {
    cpSync(FIXTURE, join(repo, "sketchvl-policy", "2"), { recursive: true });
    let stop = false;
    let failures = 0;
    const seen: string[] = [];
    const load = Array.from({ length: 4 }, async (_, i) => {
      while (!stop) {
        try {
          const { rollouts } = await client.generate(request({ sampling: { groupSize: 2, maxTurns: 3, maxTokensPerTurn: 0, temperature: 1, seed: i } }));
          seen.push(...rollouts.map((r) => r.version));
        } catch (err) {
          failures++;
          console.error(err);
        }
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    const loaded = await client.loadPolicy({ model: "sketchvl-policy", version: "" });
    assert.deepEqual([loaded.policy!.version, loaded.policy!.state], ["2", "READY"]);
    const switchedAt = seen.length;
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(load);
    assert.equal(failures, 0);
    assert.ok(seen.slice(0, switchedAt).includes("1"));
    assert.ok(seen.length > switchedAt + 2, "groups ran after the switch");
    const after = (await client.generate(request())).rollouts.map((r) => r.version);
    assert.deepEqual(new Set(after), new Set(["2"]));
    const { policies } = await client.listPolicies({});
    assert.deepEqual(
      policies.map((p) => [p.version, p.state]),
      [
        ["1", "AVAILABLE"],
        ["2", "READY"],
      ],
    );
    assert.ok(policies[1].rollouts > 0 && policies[1].tokens > policies[1].rollouts);
  });

  it("a version whose ONNX files do not reproduce its check.json is refused; the serving one stays", async () => {
    const dir = join(repo, "sketchvl-policy", "3");
    cpSync(FIXTURE, dir, { recursive: true });
    const check = JSON.parse(readFileSync(join(dir, "check.json"), "utf8"));
    check.sequences[0].logprobs[1] -= 0.5;
    writeFileSync(join(dir, "check.json"), JSON.stringify(check));
    const f = await failureOf(() => client.loadPolicy({ model: "sketchvl-policy", version: "3" }));
    assert.equal(f.code, "FAILED_PRECONDITION");
    assert.match(f.message, /check\.json: max \|logprob diff\| 5\.\d+e-1 > 0\.001/);
    assert.equal((await client.generate(request({ sampling: { groupSize: 1, maxTurns: 1, maxTokensPerTurn: 0 } }))).rollouts[0].version, "2");
    rmSync(dir, { recursive: true });
  });

  it("names out of the repository are refused", async () => {
    mkdirSync(join(repo, "escape"));
    symlinkSync(join(repoRoot, "services", "policy", "test-fixtures", "sketchvl-policy", "1"), join(repo, "escape", "1"));
    const escaped = await failureOf(() => client.loadPolicy({ model: "escape", version: "" }));
    assert.equal(escaped.code, "FAILED_PRECONDITION");
    assert.match(escaped.message, /outside the model repository/);
    const dotted = await failureOf(() => client.loadPolicy({ model: "..", version: "" }));
    assert.deepEqual([dotted.code, dotted.fields], ["INVALID_ARGUMENT", ["model"]]);
  });

  it("readiness is NOT_SERVING while the default policy is unloaded, SERVING again once it is loaded", async () => {
    assert.equal(await readiness(), SERVING);
    const { unloaded } = await client.unloadPolicy({ model: "sketchvl-policy", version: "" });
    assert.deepEqual(
      unloaded.map((u) => u.version),
      ["2"],
    );
    assert.notEqual(await readiness(), SERVING);
    const f = await failureOf(() => client.generate(request()));
    assert.equal(f.code, "FAILED_PRECONDITION");
    await client.loadPolicy({ model: "sketchvl-policy", version: "1" });
    assert.equal(await readiness(), SERVING);
  });
});

/** Everything a rollout says about itself agrees. */
function checkRollout(r: Rollout, promptDigest: string): void {
  const n = r.tokenIds.length;
  assert.deepEqual([r.logprobs.length, r.tokenOffsets.length, r.lossMask.length], [n, n, n]);
  assert.equal(r.promptTokenIds[0], 1, "the prompt starts with <bos>");
  assert.deepEqual([r.model, r.version], ["sketchvl-policy", "1"]);
  const text = [...r.text];
  // Offsets rise through the text; each token's text lies between its offset and the next one's.
  r.tokenOffsets.forEach((o, i) => {
    assert.ok(o <= (r.tokenOffsets[i + 1] ?? text.length) && o <= text.length);
  });
  // Image markers: where the loop fed the drawn image back, out of the loss, log-prob 0.
  assert.equal(r.imageTokenSpans.length, r.turns.length - 1);
  for (const span of r.imageTokenSpans) {
    assert.equal(span.end, span.start + 1);
    assert.deepEqual([r.tokenIds[span.start], r.lossMask[span.start], r.logprobs[span.start]], [4, false, 0]);
    assert.equal(text.slice(r.tokenOffsets[span.start], r.tokenOffsets[span.start] + 7).join(""), "<image>");
  }
  assert.equal(r.lossMask.filter((m) => !m).length, r.imageTokenSpans.length);
  r.logprobs.forEach((lp, i) => {
    assert.ok(r.lossMask[i] ? lp < 0 && Number.isFinite(lp) : lp === 0);
  });
  // Turns tile the completion: tokens, then the marker, then the next turn.
  let token = 0;
  r.turns.forEach((t, j) => {
    assert.equal(t.index, j);
    assert.equal(t.tokens!.start, token);
    assert.equal(text.slice(t.span!.start, t.span!.end).join(""), t.text);
    assert.equal(t.span!.start, r.tokenOffsets[t.tokens!.start]);
    token = t.tokens!.end + (j < r.turns.length - 1 ? 1 : 0);
    if (j === 0) assert.equal(t.imageDigest, promptDigest);
    else
      assert.equal(t.imageDigest !== r.turns[j - 1].imageDigest, r.turns[j - 1].actionsDrawn > 0, "a turn sees a new image exactly when the one before drew");
  });
  assert.equal(token, n);
  const lastToken = r.tokenIds[n - 1];
  if (r.finishReason === FinishReason.FINISH_REASON_STOP) assert.equal(lastToken, 2, "<eos>");
  if (r.finishReason === FinishReason.FINISH_REASON_MAX_TURNS) assert.equal(lastToken, 3, "<eot>");
}
