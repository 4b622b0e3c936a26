// The PRM service as its own process: scoring through each backend, the Triton-like model
// lifecycle (load, switch under load with zero failures, unload), dynamic batching limits, and
// bad input. The remote judge is tested against FakeJudgeServer (no real judge model runs here).
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CoordinateSpace, type DrawingAction, type Image, ImageFormat, PrmLabel, PrmServiceDefinition, type StepToScore } from "@sketchvl/contract";
import { changedRegions, decodeImage, drawActions, drawPlanned, ImageStore, outputImage, planActions, type RasterImage, resolveImage } from "@sketchvl/drawing";
import { repoRoot, type RunningProcess } from "@sketchvl/launcher";
import { chartWorldGroup } from "./support/chartworldGroup";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import { createChannel, createClient } from "nice-grpc";
import { HealthDefinition } from "nice-grpc-server-health";
import { type FakeJudgeServer, startFakeJudge } from "./support/fakeJudge";
import { failureOf, startService } from "./support/mesh";

type Client = ReturnType<typeof createMeshClient<typeof PrmServiceDefinition>>;

function makeRepository(models: Record<string, object>): string {
  const root = mkdtempSync(join(tmpdir(), "prm-models-"));
  for (const [path, config] of Object.entries(models)) {
    mkdirSync(join(root, path), { recursive: true });
    writeFileSync(join(root, path, "config.json"), JSON.stringify(config));
  }
  return root;
}

const W = 200;
const H = 140;
const white: RasterImage = { width: W, height: H, channels: 3, pixels: Buffer.alloc(W * H * 3, 255) };
const raw = (img: RasterImage): Image => ({
  source: { $case: "raw", value: { width: img.width, height: img.height, channels: img.channels, pixels: img.pixels } },
});
const line: DrawingAction = {
  kind: { $case: "line", value: { start: { x: 0, y: 500 }, end: { x: 1000, y: 500 } } },
  color: "red",
  space: CoordinateSpace.COORDINATE_SPACE_NORM_1000,
};
let drawn: RasterImage;
const step = (id: string, intent = "Draw a horizontal line at 400"): StepToScore => ({
  id,
  intent,
  action: line,
  before: raw(white),
  after: raw(drawn),
  reference: undefined,
});

describe("prm service", () => {
  let judge: FakeJudgeServer;
  let slowJudge: FakeJudgeServer;
  let repo: string;
  let prm: RunningProcess;
  let client: Client;
  let close: () => void;

  before(async () => {
    drawn = await drawActions(white, [line]);
    judge = await startFakeJudge({ failFirst: { count: 2, status: 503 } });
    slowJudge = await startFakeJudge({ delayMs: 400 });
    repo = makeRepository({
      "random/1": { backend: "random", seed: 1 },
      "random/2": { backend: "random", seed: 2 },
      "judge/1": { backend: "remote-judge", url: judge.url, model: "finepr-7b", timeoutMs: 5000, maxRetries: 3, requestsPerSecond: 50 },
      "slow/1": {
        backend: "remote-judge",
        url: slowJudge.url,
        model: "finepr-7b",
        timeoutMs: 5000,
        maxRetries: 0,
        batching: { maxBatchSize: 1, maxQueueSize: 2 },
      },
      "broken/1": { backend: "onnx" },
    });
    cpSync(join(repoRoot, "models", "finepr", "2"), join(repo, "finepr", "2"), { recursive: true }); // the shipped ONNX model
    // A version that is a symlink out of the repository is never loaded.
    mkdirSync(join(repo, "escape"));
    symlinkSync(join(repoRoot, "models", "random", "1"), join(repo, "escape", "1"));
    prm = await startService("prm", {
      args: ["--log-level", "warn", "--model-repository", repo, "--load-models", "random,judge,slow,finepr", "--default-model", "random"],
    });
    const channel = createMeshChannel(prm.address);
    client = createMeshClient(PrmServiceDefinition, channel, { deadlineMs: 20_000 });
    close = () => channel.close();
  });

  after(async () => {
    close?.();
    await prm?.stop();
    await judge?.close();
    await slowJudge?.close();
    rmSync(repo, { recursive: true, force: true });
  });

  it("scores steps with four label probabilities, the expected and the argmax score", async () => {
    const { scores } = await client.scoreSteps({ model: "", steps: [step("a"), step("b")] });
    assert.deepEqual(
      scores.map((s) => s.id),
      ["a", "b"],
    );
    for (const s of scores) {
      assert.equal(s.probabilities.length, 4);
      assert.ok(Math.abs(s.probabilities.reduce((x, y) => x + y, 0) - 1) < 1e-5);
      const best = s.probabilities.indexOf(Math.max(...s.probabilities));
      assert.equal(s.label, [PrmLabel.PRM_LABEL_EXCELLENT, PrmLabel.PRM_LABEL_ACCEPTABLE, PrmLabel.PRM_LABEL_POOR, PrmLabel.PRM_LABEL_UNACCEPTABLE][best]);
      assert.equal(s.argmaxScore, 4 - best);
      const expected = 4 * s.probabilities[0] + 3 * s.probabilities[1] + 2 * s.probabilities[2] + s.probabilities[3];
      assert.ok(Math.abs(s.expectedScore - expected) < 1e-5);
      assert.deepEqual([s.model, s.version], ["random", "2"], "the newest version was loaded");
    }
    // Seeded: the same step id gets the same scores.
    const again = await client.scoreSteps({ model: "random", steps: [step("a")] });
    assert.deepEqual(again.scores[0].probabilities, scores[0].probabilities);
  });

  it("onnx: the shipped FinePRM rates a ChartWorld expert trajectory the same whether images come raw or as patches", async () => {
    const group = await chartWorldGroup();
    const limits = { maxPixels: 1e8, maxBytes: 1e9 };
    const chart = await decodeImage(group.png, limits);
    const local = new ImageStore(1 << 28);
    const base = await resolveImage(raw(chart), "image", local, limits);
    assert.equal((await client.storeImage({ image: raw(chart) })).image!.digest, base.digest);
    // The renderer's work, done here: each after-image, and the patch the renderer would send.
    const actions = group.expert.steps.map((s) => s.action);
    const planned = planActions(chart, actions, (i) => `steps[${i}]`);
    const asRaw: StepToScore[] = [];
    const asPatches: StepToScore[] = [];
    let before = base;
    for (const [j, s] of group.expert.steps.entries()) {
      const after = await drawPlanned(before.image, planned[j]);
      const ref = await outputImage(after, ImageFormat.IMAGE_FORMAT_PATCH, local, { digest: before.digest, changed: changedRegions([planned[j]]) });
      assert.equal(ref.image!.source!.$case, "patch");
      asRaw.push({ id: `r${j}`, intent: s.intent, action: s.action, before: raw(before.image), after: raw(after), reference: undefined });
      const previous: Image = { source: { $case: "digest", value: before.digest } };
      asPatches.push({ id: `p${j}`, intent: s.intent, action: s.action, before: previous, after: ref.image!, reference: undefined });
      before = { digest: ref.digest, image: after };
    }
    const byRaw = (await client.scoreSteps({ model: "finepr", steps: asRaw })).scores;
    const byPatch = (await client.scoreSteps({ model: "finepr", steps: asPatches })).scores;
    assert.deepEqual(
      byPatch.map((s) => s.probabilities),
      byRaw.map((s) => s.probabilities),
    );
    assert.ok(byRaw.every((s) => s.model === "finepr" && s.version === "2"));
    // A real model, not noise: the expert's marks rate well, the same marks moved off target do not.
    assert.ok(
      byRaw.every((s) => s.expectedScore > 3),
      byRaw.map((s) => s.expectedScore).join(" "),
    );
    const moved = asRaw.map((s, j) => ({ ...s, id: `m${j}`, after: raw(chart), before: raw(chart) }));
    const blank = (await client.scoreSteps({ model: "finepr", steps: moved })).scores;
    assert.ok(
      blank.every((s, j) => s.expectedScore < byRaw[j].expectedScore),
      "an after-image with no mark rates lower",
    );

    // A patch on an image the service does not hold is NOT_FOUND naming the patch's base.
    const patch = asPatches[1].after!.source!.$case === "patch" ? asPatches[1].after!.source!.value : assert.fail("no patch");
    const orphan: StepToScore = {
      ...asPatches[1],
      before: raw(chart),
      after: { source: { $case: "patch", value: { ...patch, base: `sha256:${"2".repeat(64)}` } } },
    };
    const missing = await failureOf(() => client.scoreSteps({ model: "finepr", steps: [orphan] }));
    assert.deepEqual([missing.code, missing.fields, missing.reason], ["NOT_FOUND", ["steps[0].after.patch.base"], "IMAGE_NOT_FOUND"]);
  });

  it("remote judge: label probabilities from the judge token's top logprobs, after retrying 503s", async () => {
    const { scores } = await client.scoreSteps({ model: "judge", steps: [step("j1", "[excellent] Draw a line"), step("j2", "[unacceptable] Box the legend")] });
    assert.equal(scores[0].label, PrmLabel.PRM_LABEL_EXCELLENT);
    assert.equal(scores[1].label, PrmLabel.PRM_LABEL_UNACCEPTABLE);
    assert.ok(scores[0].probabilities[0] > 0.85 && scores[0].expectedScore > 3.7);
    const last = judge.requests.at(-1)!.body;
    assert.equal(last.logprobs, true);
    assert.ok(JSON.stringify(last.messages).includes("data:image/png;base64,"), "both images are sent to the judge");
    assert.ok(judge.requests.length >= 4, "two 503s were retried");
  });

  it("a full queue is refused at once with RESOURCE_EXHAUSTED; queued work still completes", async () => {
    const started = performance.now();
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => client.scoreSteps({ model: "slow", steps: [step(`q${i}`)] })));
    const refused = outcomes.filter((o) => o.status === "rejected");
    assert.ok(refused.length >= 1, "some steps do not fit in a queue of 2 behind a busy model");
    for (const r of refused) {
      const f = await failureOf(() => Promise.reject((r as PromiseRejectedResult).reason));
      assert.equal(f.code, "RESOURCE_EXHAUSTED");
    }
    assert.ok(outcomes.some((o) => o.status === "fulfilled"));
    assert.ok(performance.now() - started < 5000);
  });

  it("a request whose deadline passes while it waits in the queue never reaches the model", async () => {
    const busy = client.scoreSteps({ model: "slow", steps: [step("busy")] });
    await new Promise((r) => setTimeout(r, 50));
    const before = slowJudge.requests.length;
    const f = await failureOf(() => client.scoreSteps({ model: "slow", steps: [step("late", "[late]")] }, { deadline: 150 }));
    assert.equal(f.code, "DEADLINE_EXCEEDED");
    await busy;
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(!slowJudge.requests.slice(before).some((r) => JSON.stringify(r.body.messages).includes("[late]")), "the expired step was dropped from the queue");
  });

  it("readiness follows the default model: NOT_SERVING once it is unloaded, SERVING again once loaded", async () => {
    const channel = createChannel(prm.address);
    const health = createClient(HealthDefinition, channel);
    const status = async (service: string) => (await health.check({ service })).status;
    const SERVING = 1; // grpc.health.v1
    try {
      assert.equal(await status("sketchvl.v1.PrmService"), SERVING);
      await client.unloadModel({ model: "random", version: "" });
      assert.notEqual(await status("sketchvl.v1.PrmService"), SERVING, "a replica that would mask every step is not ready");
      assert.equal(await status(""), SERVING, "still live: a load balancer stops routing, Kubernetes does not restart it");
      const unloaded = await failureOf(() => client.scoreSteps({ model: "", steps: [step("u")] }));
      assert.equal(unloaded.code, "FAILED_PRECONDITION");
      await client.loadModel({ model: "judge", version: "" }); // another model does not make it ready
      assert.notEqual(await status("sketchvl.v1.PrmService"), SERVING);
      await client.loadModel({ model: "random", version: "1" });
      assert.equal(await status("sketchvl.v1.PrmService"), SERVING);
    } finally {
      channel.close();
    }
  });

  it("switches to a new version under load with zero failed requests, then unloads the old one", async () => {
    await client.unloadModel({ model: "random", version: "" });
    await client.loadModel({ model: "random", version: "1" });
    let stop = false;
    const versions = new Set<string>();
    let failures = 0;
    const load = Array.from({ length: 8 }, async () => {
      while (!stop) {
        try {
          const { scores } = await client.scoreSteps({ model: "random", steps: [step("x"), step("y")] });
          for (const s of scores) versions.add(s.version);
        } catch {
          failures++;
        }
      }
    });
    await new Promise((r) => setTimeout(r, 150));
    const loaded = await client.loadModel({ model: "random", version: "2" });
    assert.equal(loaded.model?.state, "READY");
    await new Promise((r) => setTimeout(r, 150));
    stop = true;
    await Promise.all(load);
    assert.equal(failures, 0);
    assert.deepEqual([...versions].sort(), ["1", "2"]);
    const { models } = await client.listModels({});
    const random = models.filter((m) => m.model === "random");
    assert.deepEqual(
      random.map((m) => [m.version, m.state]),
      [
        ["1", "AVAILABLE"],
        ["2", "READY"],
      ],
    );
    const v2 = random.find((m) => m.version === "2")!;
    assert.ok(v2.stats!.requests > 0 && v2.stats!.batches > 0 && v2.stats!.batches <= v2.stats!.requests);
  });

  it("streams scores back as each is ready; a bad step answers with a StepError and the stream goes on", async () => {
    async function* steps() {
      yield { model: "random", step: step("s1") };
      yield { model: "random", step: { ...step("s2"), action: undefined } };
      yield { model: "random", step: step("s3") };
    }
    const results = [];
    for await (const r of client.streamScores(steps())) results.push(r.result);
    const scored = results
      .filter((r) => r?.$case === "score")
      .map((r) => r!.value.id)
      .sort();
    const errors = results.filter((r) => r?.$case === "error").map((r) => r!.value);
    assert.deepEqual(scored, ["s1", "s3"]);
    assert.equal(errors.length, 1);
    assert.deepEqual([errors[0].id, errors[0].code, errors[0].field], ["s2", "INVALID_ARGUMENT", "step.action"]);
  });

  describe("bad input names the field", () => {
    it("a step without an action, images of different sizes, unreadable bytes", async () => {
      const noAction = await failureOf(() => client.scoreSteps({ model: "", steps: [step("ok"), { ...step("bad"), action: undefined }] }));
      assert.deepEqual([noAction.code, noAction.fields, noAction.reason], ["INVALID_ARGUMENT", ["steps[1].action"], "INVALID_FIELD"]);
      const small: RasterImage = { width: 10, height: 10, channels: 3, pixels: Buffer.alloc(300, 255) };
      const sizes = await failureOf(() => client.scoreSteps({ model: "", steps: [{ ...step("s"), after: raw(small) }] }));
      assert.deepEqual([sizes.code, sizes.fields], ["INVALID_ARGUMENT", ["steps[0].after"]]);
      const bytes = await failureOf(() =>
        client.scoreSteps({ model: "", steps: [{ ...step("s"), before: { source: { $case: "encoded", value: Buffer.from("nope") } } }] }),
      );
      assert.deepEqual([bytes.code, bytes.fields], ["INVALID_ARGUMENT", ["steps[0].before.encoded"]]);
    });

    it("unknown models are NOT_FOUND; a model present but not loaded is FAILED_PRECONDITION; a broken config cannot load", async () => {
      const unknown = await failureOf(() => client.scoreSteps({ model: "nope", steps: [step("a")] }));
      assert.deepEqual([unknown.code, unknown.fields, unknown.reason], ["NOT_FOUND", ["model"], "MODEL_NOT_FOUND"]);
      const notLoaded = await failureOf(() => client.scoreSteps({ model: "broken", steps: [step("a")] }));
      assert.deepEqual([notLoaded.code, notLoaded.reason], ["FAILED_PRECONDITION", "MODEL_NOT_LOADED"]);
      const broken = await failureOf(() => client.loadModel({ model: "broken", version: "" }));
      assert.deepEqual([broken.code, broken.reason], ["FAILED_PRECONDITION", "MODEL_UNUSABLE"]);
      assert.match(broken.message, /features/);
      const version = await failureOf(() => client.loadModel({ model: "random", version: "9" }));
      assert.deepEqual([version.code, version.fields, version.reason], ["NOT_FOUND", ["version"], "MODEL_NOT_FOUND"]);
      const escaped = await failureOf(() => client.loadModel({ model: "escape", version: "" }));
      assert.equal(escaped.code, "FAILED_PRECONDITION");
      assert.match(escaped.message, /outside the model repository/);
      const dotted = await failureOf(() => client.loadModel({ model: "../models", version: "" }));
      assert.deepEqual([dotted.code, dotted.fields], ["INVALID_ARGUMENT", ["model"]]);
    });
  });
});
