#!/usr/bin/env node
// Checks a running service container from outside, over real gRPC, with the repo's compiled
// packages (run `npm run build` first):
//   node infra/docker/smoke.mjs renderer 127.0.0.1:50051
//   node infra/docker/smoke.mjs trainer 127.0.0.1:50052
//   node infra/docker/smoke.mjs prm 127.0.0.1:50053 MODEL
//   node infra/docker/smoke.mjs reward 127.0.0.1:50055 127.0.0.1:8055
// All: readiness (the service name) and liveness ("") are SERVING. Renderer: Text marks are drawn
// with a real font (the image has DejaVu). Trainer: ConfigureRun succeeds, which writes
// <state-dir>/<run>.config.json (the state volume is writable by the non-root user). PRM: MODEL is
// loaded and READY. Reward: a group is scored through its peers (parse and draw: renderer, step
// scores: prm, advantages: trainer), which proves the peer addresses it was given; then the same
// through the OpenRLHF HTTP endpoint.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(join(repo, "package.json"));
const { waitUntilServing } = require(join(repo, "packages/launcher/dist/index.js"));
const { createMeshChannel, createMeshClient } = require(join(repo, "packages/runtime/dist/index.js"));
const contract = require(join(repo, "packages/contract/dist/index.js"));

const [name, address, extra] = process.argv.slice(2);
const serviceNames = {
  renderer: "sketchvl.v1.RendererService",
  trainer: "sketchvl.v1.TrainerService",
  prm: "sketchvl.v1.PrmService",
  reward: "sketchvl.v1.RewardService",
};
if (!serviceNames[name] || !address || (["prm", "reward"].includes(name) && !extra)) {
  console.error("usage: smoke.mjs renderer|trainer HOST:PORT | prm HOST:PORT MODEL | reward HOST:PORT HTTP_HOST:PORT");
  process.exit(2);
}

const started = Date.now();
await waitUntilServing(address, serviceNames[name], 30_000); // readiness
await waitUntilServing(address, "", 5_000); // liveness
console.log(`${name} at ${address}: ${serviceNames[name]} and "" SERVING after ${Date.now() - started} ms`);

const channel = createMeshChannel(address);
try {
  if (name === "renderer") {
    // A real proportional font draws "WWWW" far wider than "iiii"; without fonts, pango draws
    // same-size hex boxes for every character (plenty of ink, so counting dark pixels proves nothing).
    const client = createMeshClient(contract.RendererServiceDefinition, channel, { deadlineMs: 10_000 });
    const inkWidth = async (text) => {
      const [width, height] = [400, 80];
      const white = { width, height, channels: 3, pixels: Buffer.alloc(width * height * 3, 255) };
      const out = await client.render({
        image: { source: { $case: "raw", value: white } },
        actions: [
          {
            kind: { $case: "text", value: { at: { x: 20, y: 200 }, text } },
            color: "black",
            space: contract.CoordinateSpace.COORDINATE_SPACE_NORM_1000,
          },
        ],
        outputFormat: contract.ImageFormat.IMAGE_FORMAT_RAW,
      });
      const { pixels, channels } = out.image.image.source.value;
      let [min, max] = [width, -1];
      for (let i = 0; i < pixels.length; i += channels) {
        if (pixels[i] + pixels[i + 1] + pixels[i + 2] >= 384) continue;
        const x = (i / channels) % width;
        [min, max] = [Math.min(min, x), Math.max(max, x)];
      }
      return max < 0 ? 0 : max - min + 1;
    };
    const [wide, narrow] = [await inkWidth("WWWW"), await inkWidth("iiii")];
    if (!(narrow > 0 && wide > 2 * narrow)) {
      throw new Error(`Text marks: "WWWW" is ${wide} px wide, "iiii" ${narrow} px: no real font in the image`);
    }
    console.log(`renderer: Text marks use a real font ("WWWW" ${wide} px wide, "iiii" ${narrow} px)`);
  } else if (name === "trainer") {
    const client = createMeshClient(contract.TrainerServiceDefinition, channel, { deadlineMs: 10_000 });
    const runId = `smoke-${process.pid}`;
    const res = await client.configureRun({ runId, prior: [] });
    console.log(`trainer: ConfigureRun(${res.runId}) persisted (state dir writable)`);
  } else if (name === "prm") {
    const client = createMeshClient(contract.PrmServiceDefinition, channel, { deadlineMs: 10_000 });
    const { models } = await client.listModels({});
    const ready = models.find((m) => m.model === extra && m.state === "READY");
    if (!ready) throw new Error(`prm: model ${extra} is not READY (${JSON.stringify(models.map((m) => [m.model, m.version, m.state]))})`);
    console.log(`prm: model ${ready.model} version ${ready.version} (${ready.backend}) READY`);
  } else {
    // A white image and one response with two Box steps and an answer: the renderer parses and
    // draws them, the PRM scores each step, the trainer computes advantages, reward grades "3".
    const client = createMeshClient(contract.RewardServiceDefinition, channel, { deadlineMs: 60_000 });
    const [width, height] = [320, 240];
    const image = { source: { $case: "raw", value: { width, height, channels: 3, pixels: Buffer.alloc(width * height * 3, 255) } } };
    const text =
      "Intent1: Box the first bar\nAction1: #Draw Box, [100,100,400,300], Red\n" +
      "Intent2: Box the second bar\nAction2: #Draw Box, [500,400,900,600], Blue\nAnswer: 3";
    const { group } = await client.scoreGroup({
      requestId: `smoke-${process.pid}`,
      runId: `smoke-${process.pid}`,
      batchIndex: 0,
      image,
      question: "How many bars?",
      references: ["3"],
      responses: [{ id: "r0", text, tokenOffsets: [], imageTokenSpans: [] }],
      outcome: undefined,
      finepo: undefined,
      prmModel: "",
      useArgmaxScore: false,
      format: 0,
      sampleTimeoutMs: 0,
    });
    const r = group.responses[0];
    if (r.maskSample || r.steps.length !== 2 || r.steps.some((s) => s.probabilities.length !== 4) || r.outcomeReward !== 1) {
      throw new Error(
        `reward: the group was not scored through the mesh: ${JSON.stringify({ mask: r.maskSample, kind: r.failureKind, reason: r.failureReason, steps: r.steps.length, outcome: r.outcomeReward })}`,
      );
    }
    const stages = Object.entries(group.stageMs)
      .map(([k, v]) => `${k} ${Math.round(v)}`)
      .join(", ");
    console.log(
      `reward: ScoreGroup through renderer, prm and trainer: 2 steps scored (${r.steps.map((s) => s.processScore.toFixed(2)).join(", ")}), outcome ${r.outcomeReward}; ms: ${stages}`,
    );
    // OpenRLHF: query = prompt + response; the label names the image by the digest just stored.
    const prompt = "<|im_start|>user\n<image>How many bars?<|im_end|>\n<|im_start|>assistant\n";
    const res = await fetch(`http://${extra}/get_reward`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: [`${prompt + text}<|im_end|>`],
        prompts: [prompt],
        labels: [JSON.stringify({ image: group.imageDigest, references: ["3"] })],
      }),
      signal: AbortSignal.timeout(60_000),
    });
    const body = await res.json();
    if (res.status !== 200 || body.rewards?.[0] !== 1) throw new Error(`reward: POST /get_reward answered ${res.status} ${JSON.stringify(body)}`);
    console.log(
      `reward: OpenRLHF POST http://${extra}/get_reward -> 200, rewards ${JSON.stringify(body.rewards)}, scores ${JSON.stringify(body.scores.map((x) => +x.toFixed(3)))}`,
    );
  }
} finally {
  channel.close();
}
