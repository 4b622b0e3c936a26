// A reward service and the three it calls, each its own process on loopback: renderer, a PRM
// serving a seeded random model (these tests do not depend on the trained model's numbers), and a
// trainer with a state directory. `rewardArgs` sets the reward service's own options; `launch`
// applies to all four (mTLS files, an environment with tokens).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RewardServiceDefinition, type ScoreGroupRequest, RewardTask } from "@sketchvl/contract";
import { freePort, type LaunchOptions, type RunningProcess } from "@sketchvl/launcher";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import { type ChartGroup, chartWorldGroup } from "./chartworldGroup";
import { startService } from "./mesh";

export type RewardClient = ReturnType<typeof createMeshClient<typeof RewardServiceDefinition>>;

export interface RewardMesh {
  group: ChartGroup;
  renderer: RunningProcess;
  prm: RunningProcess;
  trainer: RunningProcess;
  reward: RunningProcess;
  /** A client on its own connection; `newClient()` opens another. */
  client: RewardClient;
  newClient(): RewardClient;
  httpUrl: string;
  /** Where label image paths point (holds chart.png). */
  imageRoot: string;
  /** A ScoreGroupRequest for the chart, its question and answer. */
  request(overrides?: Partial<ScoreGroupRequest>): ScoreGroupRequest;
  stop(): Promise<void>;
}

/** The reward service's flags pointing at its three dependencies, with the HTTP endpoint on `httpPort`. */
export function rewardServiceArgs(
  deps: { renderer: RunningProcess; prm: RunningProcess; trainer: RunningProcess },
  httpPort: number,
  imageRoot: string,
): string[] {
  const { renderer, prm, trainer } = deps;
  return [
    "--renderer-address",
    renderer.address,
    "--prm-address",
    prm.address,
    "--trainer-address",
    trainer.address,
    "--http-port",
    String(httpPort),
    "--image-root",
    imageRoot,
  ];
}

/** `serviceArgs`: options of the renderer and the PRM (e.g. the chart sandbox's limits, the chart judge). */
/** `launch`: how every process is started (e.g. the environment that turns on mTLS and tokens). */
export async function startRewardMesh(
  rewardArgs: string[] = [],
  serviceArgs: { renderer?: string[]; prm?: string[] } = {},
  launch: Partial<LaunchOptions> = {},
): Promise<RewardMesh> {
  const dir = mkdtempSync(join(tmpdir(), "reward-mesh-"));
  mkdirSync(join(dir, "models", "random", "1"), { recursive: true });
  writeFileSync(join(dir, "models", "random", "1", "config.json"), JSON.stringify({ backend: "random", seed: 7 }));
  const imageRoot = join(dir, "images");
  mkdirSync(imageRoot);
  const quiet = ["--log-level", "error"];
  const [group, renderer, prm, trainer] = await Promise.all([
    chartWorldGroup(),
    startService("renderer", { ...launch, args: [...quiet, ...(serviceArgs.renderer ?? [])] }),
    startService("prm", {
      ...launch,
      args: [...quiet, "--model-repository", join(dir, "models"), "--load-models", "random", "--default-model", "random", ...(serviceArgs.prm ?? [])],
    }),
    startService("trainer", { ...launch, args: [...quiet, "--state-dir", join(dir, "trainer")] }),
  ]);
  writeFileSync(join(imageRoot, "chart.png"), group.png);
  const httpPort = await freePort();
  const reward = await startService("reward", {
    ...launch,
    args: [...quiet, ...rewardServiceArgs({ renderer, prm, trainer }, httpPort, imageRoot), ...rewardArgs],
  });
  const channels: Array<{ close(): void }> = [];
  const newClient = () => {
    // Its own subchannel pool: its own connection (grpc-js shares one between equal channels).
    const channel = createMeshChannel(reward.address, { options: { "grpc.use_local_subchannel_pool": 1 } });
    channels.push(channel);
    return createMeshClient(RewardServiceDefinition, channel, { deadlineMs: 60_000 });
  };
  const request = (overrides: Partial<ScoreGroupRequest> = {}): ScoreGroupRequest => ({
    requestId: "",
    runId: "",
    batchIndex: 0,
    image: { source: { $case: "encoded", value: group.png } },
    question: group.question,
    references: [group.answer],
    responses: [{ id: "expert", text: group.responses.expert, tokenOffsets: [], imageTokenSpans: [] }],
    outcome: undefined,
    finepo: undefined,
    prmModel: "",
    useArgmaxScore: false,
    format: 0,
    sampleTimeoutMs: 0,
    task: RewardTask.REWARD_TASK_DRAW_AND_ANSWER,
    chartCode: undefined,
    ...overrides,
  });
  return {
    group,
    renderer,
    prm,
    trainer,
    reward,
    client: newClient(),
    newClient,
    httpUrl: `http://127.0.0.1:${httpPort}/get_reward`,
    imageRoot,
    request,
    async stop() {
      channels.forEach((c) => {
        c.close();
      });
      await Promise.all([reward, renderer, prm, trainer].map((p) => p.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
