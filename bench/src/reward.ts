// bench/reward: groups of 24 responses × 4 steps over a 1000×700 chart through the whole mesh
// (renderer, PRM with the trained FinePRM, trainer, reward — each its own process) on loopback.
// Prints groups/s, time per stage, bytes on the wire, and what the mesh costs: its CPU per step
// against one process doing the same work with the same library code (rewardInProcess.ts), per
// service against the stages it runs, what trace context costs (the same load with OpenTelemetry off),
// and one group's latency at low load.
//   npm run build && node bench/dist/reward.js [--groups N] [--concurrency N] [--latency-groups N]
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  type GroupRewards,
  type Image,
  ImageFormat,
  PrmServiceDefinition,
  RendererServiceDefinition,
  RenderTrajectoryResponse,
  ScoreGroupRequest,
  StepFormat,
} from "@sketchvl/contract";
import { repoRoot } from "@sketchvl/launcher";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import { parseSteps } from "@sketchvl/steps";
import { groupTexts, imageByDigest, inlineImage, K, QUESTION, REFERENCES, type RewardMesh, scoreGroupRequest, startRewardMesh } from "./rewardGroup";
import { emptyStageCpu, InProcessScorer } from "./rewardInProcess";
import { barChartPng, cpuMsOf, fmt, runConcurrently, table } from "./support";

const { values } = parseArgs({
  options: { groups: { type: "string", default: "12" }, concurrency: { type: "string", default: "2" }, "latency-groups": { type: "string", default: "8" } },
});
const GROUPS = Number(values.groups);
const CONCURRENCY = Number(values.concurrency);
const LATENCY_GROUPS = Number(values["latency-groups"]);
const MESH_TARGET = 1.3;

/** One group with the image inline (it is then held by digest); returns the image by digest. */
async function warmUp(client: RewardMesh["client"], inline: Image): Promise<Image> {
  const warm = (await client.scoreGroup(scoreGroupRequest(GROUPS + 1, inline))).group!;
  const failures = warm.responses.filter((r) => r.maskSample).length;
  if (failures) throw new Error(`${failures} responses masked in the warm-up: ${warm.responses.find((r) => r.maskSample)?.failureReason}`);
  return imageByDigest(warm.imageDigest);
}

/** GROUPS groups, CONCURRENCY at a time: the wall time, and the CPU (ms, all threads) of each process and of this client. */
async function measureCpu(mesh: RewardMesh["mesh"], client: RewardMesh["client"], image: Image, onGroup?: (group: GroupRewards) => void) {
  const cpuOf = () => new Map(mesh.processes.map((p) => [p.spec.name, cpuMsOf(p.child.pid!)]));
  const before = cpuOf();
  const clientBefore = process.cpuUsage();
  const seconds = await runConcurrently(GROUPS, CONCURRENCY, async (i) => {
    const group = (await client.scoreGroup(scoreGroupRequest(i, image))).group!; // not inside onGroup?.(…): unevaluated without one
    onGroup?.(group);
  });
  const clientCpu = process.cpuUsage(clientBefore);
  const cpu = [...cpuOf()].map(([name, ms]) => [name, ms - before.get(name)!] as const);
  cpu.push(["bench client", (clientCpu.user + clientCpu.system) / 1000]);
  return { seconds, cpu };
}

async function main() {
  const chart = await barChartPng(1000, 700);
  const texts = groupTexts();

  // The one-process baseline first, alone on the machine.
  const local = await InProcessScorer.load(join(repoRoot, "models", "finepr", "2"));
  const localGroup = { png: chart, question: QUESTION, references: REFERENCES, texts };
  await local.scoreGroup(localGroup, emptyStageCpu());
  const localCpu = emptyStageCpu();
  const localStarted = performance.now();
  for (let i = 0; i < GROUPS; i++) await local.scoreGroup(localGroup, localCpu);
  const localSeconds = (performance.now() - localStarted) / 1000;

  const { mesh, client, close } = await startRewardMesh();
  const prmChannel = createMeshChannel(mesh.address("prm"));
  const prm = createMeshClient(PrmServiceDefinition, prmChannel);
  const inline = inlineImage(chart);
  const byDigest = await warmUp(client, inline);
  const computeBefore = (await prm.listModels({})).models.reduce((a, m) => a + (m.stats?.computeMsTotal ?? 0), 0);
  const stages: Record<string, number> = {};
  const { seconds, cpu } = await measureCpu(mesh, client, byDigest, (group) => {
    for (const [stage, ms] of Object.entries(group.stageMs)) stages[stage] = (stages[stage] ?? 0) + ms;
  });
  const prmComputeMs = (await prm.listModels({})).models.reduce((a, m) => a + (m.stats?.computeMsTotal ?? 0), 0) - computeBefore;

  // One group at a time: the latency a caller sees at low load.
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_GROUPS; i++) {
    const t0 = performance.now();
    await client.scoreGroup(scoreGroupRequest(GROUPS + 2 + i, byDigest));
    latencies.push(performance.now() - t0);
  }

  // After-image bytes from the renderer (and on to the PRM) per group: patches vs PNG.
  const rendererChannel = createMeshChannel(mesh.address("renderer"));
  const renderer = createMeshClient(RendererServiceDefinition, rendererChannel);
  const baseImage = { source: { $case: "digest" as const, value: (await renderer.putImage({ image: inline })).image!.digest } };
  const afterBytes = async (outputFormat: ImageFormat) => {
    let bytes = 0;
    for (const text of texts) {
      // Parsed here, as the reward service does (in-process); only the drawing is the renderer's.
      const { steps } = parseSteps(text, StepFormat.STEP_FORMAT_UNSPECIFIED);
      for await (const out of renderer.renderTrajectory({ baseImage, steps, outputFormat })) bytes += RenderTrajectoryResponse.encode(out).finish().length;
    }
    return bytes;
  };
  const [pngBytes, patchBytes] = [await afterBytes(ImageFormat.IMAGE_FORMAT_PNG), await afterBytes(ImageFormat.IMAGE_FORMAT_PATCH)];
  rendererChannel.close();
  prmChannel.close();
  await close();

  // The same load on a mesh with OpenTelemetry off: what trace context (spans, propagation, the
  // async-context manager) costs when nothing is exported.
  const untraced = await startRewardMesh({ env: { OTEL_SDK_DISABLED: "true" } });
  const untracedCpu = (await measureCpu(untraced.mesh, untraced.client, await warmUp(untraced.client, inline))).cpu;
  await untraced.close();

  const wallMs = seconds * 1000;
  const perGroup = (ms: number) => `${fmt(ms / GROUPS)} ms/group`;
  console.log(`bench/reward: ${GROUPS} groups of ${K} responses x 4 steps, 1000x700 chart, ${CONCURRENCY} groups in flight`);
  console.log(
    table([
      ["throughput", `${fmt(GROUPS / seconds, 2)} groups/s`, `${fmt((GROUPS * K * 4) / seconds, 0)} steps/s`],
      ["wall time per group (in flight together)", perGroup(wallMs), ""],
      ["  parse (in-process), summed over responses", perGroup(stages.parse), ""],
      ["  render (renderer)", perGroup(stages.render), ""],
      ["  PRM (call, queue, decode, compute)", perGroup(stages.prm), ""],
      ["  PRM model compute (backend time)", perGroup(prmComputeMs), "baseline"],
      ["  FinePO (trainer)", perGroup(stages.finepo), ""],
      ["  image to renderer + PRM", perGroup(stages.image), ""],
      ["overhead beyond PRM compute", `${fmt(((wallMs - prmComputeMs) / prmComputeMs) * 100, 0)} %`, "retired target (#15): see the CPU comparison below"],
    ]),
  );
  const cpuTotal = cpu.reduce((a, [, ms]) => a + ms, 0);
  console.log(
    `CPU per group, all threads (/proc): ${cpu.map(([name, ms]) => `${name} ${fmt(ms / GROUPS, 0)} ms`).join(", ")}; total ${fmt(cpuTotal / GROUPS, 0)} ms = ${fmt(cpuTotal / GROUPS / (K * 4), 2)} ms per step`,
  );
  const steps = GROUPS * K * 4;
  const localTotal = Object.values(localCpu).reduce((a, b) => a + b, 0);
  const serviceCpu = new Map(cpu);
  const perStep = (ms: number) => `${fmt(ms / steps, 3)} ms`;
  console.log(
    `\nWhat the mesh costs: CPU per step, the mesh (every service and the client) vs one process calling the same code (${fmt(GROUPS / localSeconds, 2)} groups/s alone)`,
  );
  console.log(
    table([
      ["one process, all stages", perStep(localTotal), "baseline"],
      ["mesh, all services + client", perStep(cpuTotal), `${fmt(cpuTotal / localTotal, 2)}x (target <= ${MESH_TARGET}x)`],
      ["renderer vs draw", `${perStep(serviceCpu.get("renderer")!)} vs ${perStep(localCpu.draw)}`, `${fmt(serviceCpu.get("renderer")! / localCpu.draw, 2)}x`],
      [
        "PRM vs encode + run",
        `${perStep(serviceCpu.get("prm")!)} vs ${perStep(localCpu.encode + localCpu.run)}`,
        `${fmt(serviceCpu.get("prm")! / (localCpu.encode + localCpu.run), 2)}x (encode ${perStep(localCpu.encode)}, run ${perStep(localCpu.run)})`,
      ],
      [
        "reward vs parse + grade",
        `${perStep(serviceCpu.get("reward")!)} vs ${perStep(localCpu.parse + localCpu.grade)}`,
        `orchestration ${perStep(serviceCpu.get("reward")! - localCpu.parse - localCpu.grade)} (target <= 0.3 ms)`,
      ],
      ["trainer vs FinePO", `${perStep(serviceCpu.get("trainer")!)} vs ${perStep(localCpu.finepo)}`, ""],
      ["bench client", perStep(serviceCpu.get("bench client")!), "its gRPC calls"],
    ]),
  );
  const untracedTotal = untracedCpu.reduce((a, [, ms]) => a + ms, 0);
  console.log(
    `trace context (OpenTelemetry on, no exporter) costs ${perStep(cpuTotal - untracedTotal)} per step: the mesh with it off ${perStep(untracedTotal)}, ${fmt(untracedTotal / localTotal, 2)}x the one process`,
  );
  latencies.sort((a, b) => a - b);
  const pct = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  console.log(
    `one group alone (${LATENCY_GROUPS} in a row): p50 ${fmt(pct(0.5), 0)} ms, p99 ${fmt(pct(0.99), 0)} ms; one process: ${fmt((localSeconds * 1000) / GROUPS, 0)} ms per group`,
  );
  const inlineBytes = ScoreGroupRequest.encode(scoreGroupRequest(0, inline)).finish().length;
  const digestBytes = ScoreGroupRequest.encode(scoreGroupRequest(0, byDigest)).finish().length;
  console.log(
    `after-image bytes per group (renderer to reward, and again to the PRM): as patches ${fmt(patchBytes / 1024)} KiB, as PNG ${fmt(pngBytes / 1024)} KiB (${fmt(pngBytes / patchBytes, 1)}x less, and no encode / decode)`,
  );
  console.log(
    `request bytes per group: image inline ${fmt(inlineBytes / 1024)} KiB, by digest ${fmt(digestBytes / 1024)} KiB (${fmt(inlineBytes / digestBytes, 1)}x less)`,
  );
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
