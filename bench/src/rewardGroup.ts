// The group bench/reward and bench/scaling score: 24 SketchVL responses × 4 steps on the synthetic
// bar chart (support.ts), as one ScoreGroup request, and the mesh they score it through.
import { type Image, RewardServiceDefinition, RewardTask, type ScoreGroupRequest } from "@sketchvl/contract";
import { freePort, SERVICES, startMesh } from "@sketchvl/launcher";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";

export const K = 24;
export const STEPS_PER_RESPONSE = 4;
export const QUESTION = "In which year did FDI first exceed 400?";
export const REFERENCES = ["2015"];

/** Response `i` of a group: 4 steps, its marks moved a little by `i` so rollouts differ like a policy's do. */
export function responseText(i: number): string {
  const j = (n: number) => Math.round(n + ((i * 37) % 11) - 5);
  const answer = i % 3 === 0 ? "2015" : "2016";
  return [
    "Deduction1: The legend shows FDI.",
    "Intent1: Box the FDI legend entry",
    `Action1: #Draw Box, [${j(100)},${j(796)},${j(132)},${j(884)}], Red`,
    "Intent2: Draw a horizontal line at 400",
    `Action2: #Draw Line, [${j(429)},80,${j(429)},960], Blue`,
    "Intent3: Drop a vertical line from the first bar above the line",
    `Action3: #Draw Line, [${j(429)},${j(618)},886,${j(618)}], Green`,
    "Intent4: Point at the year label",
    `Action4: #Draw Point, [${j(915)},${j(618)}], Red`,
    `Answer: ${answer}`,
  ].join("\n");
}

export const groupTexts = () => Array.from({ length: K }, (_, i) => responseText(i));
const RESPONSES = groupTexts().map((text, id) => ({ id: String(id), text, tokenOffsets: [], imageTokenSpans: [] }));

/** ScoreGroup request `i` (its own request id) for the group's responses on `image`. */
export function scoreGroupRequest(i: number, image: Image): ScoreGroupRequest {
  return {
    requestId: `bench-${i}`,
    runId: "bench",
    batchIndex: i,
    image,
    question: QUESTION,
    references: REFERENCES,
    responses: RESPONSES,
    outcome: undefined,
    finepo: undefined,
    prmModel: "",
    useArgmaxScore: false,
    format: 0,
    sampleTimeoutMs: 0,
    task: RewardTask.REWARD_TASK_DRAW_AND_ANSWER,
    chartCode: undefined,
  };
}

export const inlineImage = (png: Buffer): Image => ({ source: { $case: "encoded", value: png } });
export const imageByDigest = (digest: string): Image => ({ source: { $case: "digest", value: digest } });

export const MESH_KINDS = ["renderer", "prm", "reward", "trainer"] as const;
export type MeshKind = (typeof MESH_KINDS)[number];

/**
 * Renderer, PRM, trainer and reward, `replicas` processes of each (1 by default) on free ports,
 * and a client of the reward service balanced over its replicas.
 */
export async function startRewardMesh(options: { env?: Record<string, string>; replicas?: Partial<Record<MeshKind, number>> } = {}) {
  const services = SERVICES.filter((s) => (MESH_KINDS as readonly string[]).includes(s.name));
  const ports = new Map<string, number[]>();
  for (const s of services) {
    const list: number[] = [];
    for (let r = 0; r < (options.replicas?.[s.name as MeshKind] ?? 1); r++) list.push(await freePort());
    ports.set(s.name, list);
  }
  const mesh = await startMesh({
    services,
    replicas: (s) => ports.get(s.name)!.length,
    portOf: (s, replica) => ports.get(s.name)![replica],
    args: ["--log-level", "warn"],
    env: { TRAINER_STATE_DIR: "none", REWARD_HTTP_PORT: "-1", ...options.env },
  });
  const channel = createMeshChannel(mesh.address("reward"));
  const client = createMeshClient(RewardServiceDefinition, channel, { deadlineMs: 300_000 });
  const close = async () => {
    channel.close();
    await mesh.stop();
  };
  return { mesh, client, close };
}
export type RewardMesh = Awaited<ReturnType<typeof startRewardMesh>>;
