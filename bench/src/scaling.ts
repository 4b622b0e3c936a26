// bench/scaling: bench/reward's groups (24 responses × 4 steps) through the whole mesh with N reward,
// M PRM and R renderer replicas, each its own process on loopback, one configuration after another.
// Throughput is bounded by this machine's cores, so it shows where adding processes stops paying;
// the CPU each kind of service spends per step does not depend on the cores, and is what the README
// ("How it scales") sizes a deployment with a GPU PRM from.
//   npm run build && node bench/dist/scaling.js [--reward 1,2] [--prm 1,2] [--renderer 1] [--groups N] [--concurrency N]
//     [--cores-per-replica N] [--gpu-step-ms 0.05,0.2,1]
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Image, PrmServiceDefinition, RewardServiceDefinition } from "@sketchvl/contract";
import { repoRoot } from "@sketchvl/launcher";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import type { Channel } from "nice-grpc";
import {
  groupTexts,
  imageByDigest,
  inlineImage,
  K,
  MESH_KINDS,
  type MeshKind,
  QUESTION,
  REFERENCES,
  STEPS_PER_RESPONSE,
  scoreGroupRequest,
  startRewardMesh,
} from "./rewardGroup";
import { emptyStageCpu, InProcessScorer } from "./rewardInProcess";
import { barChartPng, cpuMsOf, fmt, grid, mainThreadCpuMsOf, runConcurrently } from "./support";

const { values } = parseArgs({
  options: {
    reward: { type: "string", default: "1,2" },
    prm: { type: "string", default: "1,2" },
    renderer: { type: "string", default: "1" },
    groups: { type: "string", default: "12" },
    concurrency: { type: "string", default: "6" },
    "cores-per-replica": { type: "string", default: "4" },
    "gpu-step-ms": { type: "string", default: "0.05,0.2,1,5" },
  },
});
function numbers(flag: string, value: string, integer = true): number[] {
  const list = value.split(",").map(Number);
  if (list.some((n) => !(n > 0) || (integer && !Number.isInteger(n))))
    throw new Error(`--${flag} ${value}: expected positive ${integer ? "integers" : "numbers"}, comma-separated`);
  return list;
}
const REWARD = numbers("reward", values.reward);
const PRM = numbers("prm", values.prm);
const RENDERER = numbers("renderer", values.renderer);
const [GROUPS] = numbers("groups", values.groups);
const [CONCURRENCY] = numbers("concurrency", values.concurrency);
const [CORES] = numbers("cores-per-replica", values["cores-per-replica"]);
const GPU_STEP_MS = numbers("gpu-step-ms", values["gpu-step-ms"], false);
const STEPS = GROUPS * K * STEPS_PER_RESPONSE;

const KINDS = MESH_KINDS;
type Kind = MeshKind;
type Replicas = Record<"reward" | "prm" | "renderer", number>;

interface Measured {
  replicas: Replicas;
  seconds: number;
  /** CPU ms over the measured groups, every replica of a kind summed, and the bench client's. */
  cpuMs: Record<Kind | "client", number>;
  /** The same on the replicas' main threads (event loops), which do not spread over cores. */
  loopMs: Record<Kind, number>;
  /** The PRM batches' time in the backend (ListModels computeMsTotal), summed over replicas. */
  computeMs: number;
}

async function measure(chart: Buffer, replicas: Replicas): Promise<Measured> {
  const { mesh, client: balanced, close } = await startRewardMesh({ replicas });
  const channels: Channel[] = [];
  const channel = (address: string) => {
    const c = createMeshChannel(address);
    channels.push(c);
    return c;
  };
  try {
    const replicasOf = (kind: Kind) => mesh.processes.filter((p) => p.spec.name === kind);
    const rewardClient = (address: string) => createMeshClient(RewardServiceDefinition, channel(address), { deadlineMs: 300_000 });
    let requests = 0; // request ids are unique per reward service
    const score = async (client: ReturnType<typeof rewardClient>, image: Image) => {
      const group = (await client.scoreGroup(scoreGroupRequest(requests++, image))).group!;
      const masked = group.responses.find((r) => r.maskSample);
      if (masked)
        throw new Error(
          `a response was masked (${masked.failureReason}); throughput with masked responses would flatter the mesh: fewer groups in flight (--concurrency) or more replicas`,
        );
      return group;
    };
    // Each reward replica gets the chart inline once and keeps it by digest, as a replica serving a
    // prompt's rollouts would; the bench then sends the digest only, whichever replica it reaches.
    let digest = "";
    for (const r of replicasOf("reward")) digest = (await score(rewardClient(r.address), inlineImage(chart))).imageDigest;
    const byDigest = imageByDigest(digest);
    // Through the balanced channels, so every renderer and PRM replica holds the image (one without
    // it answers IMAGE_NOT_FOUND and is sent it) and has compiled its hot paths before the clock runs.
    const warmGroups = 2 * Math.max(replicas.reward, replicas.prm, replicas.renderer, CONCURRENCY);
    await runConcurrently(warmGroups, CONCURRENCY, () => score(balanced, byDigest));

    const prms = replicasOf("prm").map((p) => createMeshClient(PrmServiceDefinition, channel(p.address)));
    const computeMs = async () => {
      const all = await Promise.all(prms.map((prm) => prm.listModels({})));
      return all.flatMap((r) => r.models).reduce((a, m) => a + (m.stats?.computeMsTotal ?? 0), 0);
    };
    const byKind = (cpu: (pid: number) => number) => {
      const ms = { renderer: 0, prm: 0, reward: 0, trainer: 0 };
      for (const p of mesh.processes) ms[p.spec.name as Kind] += cpu(p.child.pid!);
      return ms;
    };
    const computeBefore = await computeMs();
    const [cpuBefore, loopBefore] = [byKind(cpuMsOf), byKind(mainThreadCpuMsOf)];
    const clientBefore = process.cpuUsage();
    const seconds = await runConcurrently(GROUPS, CONCURRENCY, () => score(balanced, byDigest));
    const client = process.cpuUsage(clientBefore);
    const [cpuMs, loopMs] = [{ ...byKind(cpuMsOf), client: (client.user + client.system) / 1000 }, byKind(mainThreadCpuMsOf)];
    for (const kind of KINDS) {
      cpuMs[kind] -= cpuBefore[kind];
      loopMs[kind] -= loopBefore[kind];
    }
    return { replicas, seconds, cpuMs, loopMs, computeMs: (await computeMs()) - computeBefore };
  } finally {
    for (const c of channels) c.close();
    await close();
  }
}

async function main() {
  const chart = await barChartPng(1000, 700);
  // Throughput here is only as good as the machine was idle; this says whether it was.
  const loadBefore = loadavg()[0];
  // The model's own part of the PRM's CPU, timed apart from the input encoding in one process: the
  // PRM's workers encode and run each batch together, so its computeMsTotal includes the encoding,
  // which stays on the CPU when the model runs on a GPU.
  const local = await InProcessScorer.load(join(repoRoot, "models", "finepr", "2"));
  const localGroup = { png: chart, question: QUESTION, references: REFERENCES, texts: groupTexts() };
  await local.scoreGroup(localGroup, emptyStageCpu());
  const localCpu = emptyStageCpu();
  for (let i = 0; i < GROUPS; i++) await local.scoreGroup(localGroup, localCpu);

  const runs: Measured[] = [];
  for (const reward of REWARD) {
    for (const prm of PRM) {
      for (const renderer of RENDERER) {
        runs.push(await measure(chart, { reward, prm, renderer }));
        const last = runs[runs.length - 1];
        console.log(`  measured ${reward} reward × ${prm} PRM × ${renderer} renderer: ${fmt(GROUPS / last.seconds, 2)} groups/s`);
      }
    }
  }

  const perStep = (ms: number) => fmt(ms / STEPS, 3);
  const totalCpu = (m: Measured) => Object.values(m.cpuMs).reduce((a, b) => a + b, 0);
  const first = runs[0];
  console.log(
    `bench/scaling: ${GROUPS} groups of ${K} responses x ${STEPS_PER_RESPONSE} steps per configuration, ${CONCURRENCY} groups in flight, ${availableParallelism()} cores (load average ${fmt(loadBefore, 1)} before)`,
  );
  console.log(
    grid(
      [
        "reward",
        "PRM",
        "renderer",
        "groups/s",
        "steps/s",
        "vs first",
        "cores busy",
        "renderer",
        "prm",
        "reward",
        "trainer",
        "client",
        "all",
        "PRM compute",
        "of PRM CPU",
      ],
      runs.map((m) => [
        String(m.replicas.reward),
        String(m.replicas.prm),
        String(m.replicas.renderer),
        fmt(GROUPS / m.seconds, 2),
        fmt(STEPS / m.seconds, 0),
        `${fmt(first.seconds / m.seconds, 2)}x`,
        fmt(totalCpu(m) / (m.seconds * 1000), 2),
        ...[...KINDS, "client" as const].map((kind) => perStep(m.cpuMs[kind])),
        perStep(totalCpu(m)),
        perStep(m.computeMs),
        `${fmt((m.computeMs / m.cpuMs.prm) * 100, 0)} %`,
      ]),
    ),
  );
  console.log(
    "  (CPU ms per step from /proc, all threads of every replica of a kind; cores busy: all of it per second of wall time;\n" +
      "   PRM compute: its batches' backend time per step, ListModels computeMsTotal summed over replicas — input encoding + session.run, wall time)",
  );

  // Pooled over every configuration: what a step costs does not depend on how many replicas share it.
  const pooled = (kind: Kind, of: "cpuMs" | "loopMs" = "cpuMs") => runs.reduce((a, m) => a + m[of][kind], 0) / (STEPS * runs.length);
  const modelRun = localCpu.run / STEPS;
  // Per step, what stays on a replica's CPU (all threads, and its event loop) with the model on a GPU.
  const cost = {
    prm: { all: pooled("prm") - modelRun, loop: pooled("prm", "loopMs") },
    renderer: { all: pooled("renderer"), loop: pooled("renderer", "loopMs") },
    reward: { all: pooled("reward"), loop: pooled("reward", "loopMs") },
  };
  const ms = (n: number) => `${fmt(n, 3)} ms`;
  console.log(
    `\nCPU per step, all configurations (event loop's part in brackets): PRM ${ms(pooled("prm"))}, of which the model's session.run ` +
      `${ms(modelRun)} (measured in one process, where the encoding took ${ms(localCpu.encode / STEPS)}), so with a GPU model ` +
      `e = ${ms(cost.prm.all)} (${ms(cost.prm.loop)}) stays on the CPU; renderer r = ${ms(cost.renderer.all)} (${ms(cost.renderer.loop)}); ` +
      `reward w = ${ms(cost.reward.all)} (${ms(cost.reward.loop)})`,
  );
  // A replica of c cores takes max(its CPU / c, its event loop's CPU, the GPU's time) per step, so
  // per 1,000 steps/s it takes that many replicas, in ms.
  const replicasFor = (c: { all: number; loop: number }, t = 0) => Math.max(c.all / CORES, c.loop, t);
  console.log(
    `Replicas per 1,000 steps/s with ${CORES} cores each = max(CPU / ${CORES}, event loop CPU, t) per step in ms, t the GPU model's time per step at batch:`,
  );
  console.log(
    grid(
      ["t (ms/step)", "PRM replicas", "PRM bound by", "renderer replicas", "reward replicas"],
      GPU_STEP_MS.map((t) => {
        const bound = t >= replicasFor(cost.prm) ? "GPU" : cost.prm.loop > cost.prm.all / CORES ? "event loop" : "CPU";
        return [fmt(t, 2), fmt(replicasFor(cost.prm, t), 2), bound, fmt(replicasFor(cost.renderer), 2), fmt(replicasFor(cost.reward), 2)];
      }),
    ),
  );
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
