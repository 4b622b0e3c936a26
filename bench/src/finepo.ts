// bench/finepo: FinePO steps per second in-process (one core) and through the trainer's gRPC
// stream on loopback, for groups of k = 24 responses with 1–6 steps each.
//   npm run build && node bench/dist/finepo.js [--groups N]
import { parseArgs } from "node:util";
import { ActionKind, type ComputeAdvantagesRequest, type StreamAdvantagesRequest, TrainerServiceDefinition } from "@sketchvl/contract";
import { freePort, launchService, SERVICES } from "@sketchvl/launcher";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import { computeGroupAdvantages, type GroupInput, makeSyntheticGroups, resolveSettings } from "@sketchvl/trainer/finepo";
import { fmt, table } from "./support";

const { values } = parseArgs({ options: { groups: { type: "string", default: "20000" } } });
const GROUPS = Number(values.groups);

// Prior and window both uniform over the drawing kinds: every step pays for its KL offset.
const UNIFORM = new Map(
  [ActionKind.ACTION_KIND_POINT, ActionKind.ACTION_KIND_LINE, ActionKind.ACTION_KIND_RECTANGLE, ActionKind.ACTION_KIND_CIRCLE].map((k) => [k, 0.25]),
);

const stepsIn = (groups: GroupInput[]) => groups.reduce((n, g) => n + g.members.reduce((m, r) => m + r.steps.length, 0), 0);

function inProcess(groups: GroupInput[]): number {
  const settings = resolveSettings();
  const context = { prior: UNIFORM, current: UNIFORM };
  for (let i = 0; i < Math.min(2000, groups.length); i++) computeGroupAdvantages(groups[i], settings, context); // warm-up (JIT)
  const started = performance.now();
  for (const g of groups) computeGroupAdvantages(g, settings, context);
  const seconds = (performance.now() - started) / 1000;
  return stepsIn(groups) / seconds;
}

function toRequest(g: GroupInput, i: number): ComputeAdvantagesRequest {
  return {
    requestId: `bench-${i}`,
    runId: "bench",
    batchIndex: Math.floor(i / 64),
    members: g.members.map((m) => ({
      reward: m.reward,
      steps: m.steps.map((s) => ({ actionKind: s.kind, score: s.score, tokenLength: s.tokenLength ?? 0, tokenSpan: s.tokenSpan })),
      tokenCount: m.tokenCount,
      imageTokenSpans: m.imageTokenSpans ? [...m.imageTokenSpans] : [],
    })),
    config: undefined,
    prior: [],
    current: [],
  };
}

async function main() {
  const groups = makeSyntheticGroups("bench", GROUPS);
  const withTokens = makeSyntheticGroups("bench-tokens", Math.floor(GROUPS / 4), { withTokens: true });
  const steps = stepsIn(groups);
  console.log(`bench/finepo: ${GROUPS} groups of k=24, 1-6 steps each (${steps} steps, ${fmt(steps / GROUPS / 24, 2)} per response)`);
  const local = inProcess(groups);
  const localTokens = inProcess(withTokens);

  const trainer = await launchService(SERVICES.find((s) => s.name === "trainer")!, {
    port: await freePort(),
    args: ["--log-level", "warn", "--state-dir", "none", "--idempotency-entries", String(GROUPS + 100)],
  });
  const channel = createMeshChannel(trainer.address);
  const client = createMeshClient(TrainerServiceDefinition, channel, { deadlineMs: 600_000 });
  const requests = groups.map(toRequest);
  const stream = async (from: number, to: number) => {
    async function* send(): AsyncIterable<StreamAdvantagesRequest> {
      for (let i = from; i < to; i++) yield { group: requests[i] };
    }
    let answered = 0;
    for await (const r of client.streamAdvantages(send())) {
      if (r.result?.$case !== "group") throw new Error(`group failed: ${JSON.stringify(r.result)}`);
      answered++;
    }
    return answered;
  };
  await stream(0, Math.min(500, GROUPS)); // warm-up (JIT on both ends, connection)
  const started = performance.now();
  await stream(Math.min(500, GROUPS), GROUPS);
  const grpcSeconds = (performance.now() - started) / 1000;
  const grpcSteps = stepsIn(groups.slice(Math.min(500, GROUPS))) / grpcSeconds;
  channel.close();
  await trainer.stop();

  const s = (x: number) => `${fmt(x / 1e6, 2)} M steps/s`;
  console.log(
    table([
      ["in-process, one core (baseline)", s(local), "target >= 1.00 M steps/s"],
      ["in-process, with token arrays (~250 tokens/response)", s(localTokens), `${fmt(localTokens / local, 2)}x baseline`],
      ["gRPC bidi stream on loopback (trainer process)", s(grpcSteps), `${fmt(grpcSteps / local, 3)}x baseline; target >= 0.10 M steps/s`],
    ]),
  );
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
