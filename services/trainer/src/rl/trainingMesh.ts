// The mesh a training run talks to: renderer, PRM, trainer (FinePO), reward and policy, each its
// own process on a free loopback port, the policy serving the run's own model repository.
import { join } from "node:path";
import { PolicyServiceDefinition, RewardServiceDefinition } from "@sketchvl/contract";
import { type Mesh, SERVICES, freePort, repoRoot, startMesh } from "@sketchvl/launcher";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import type { MeshClients } from "./rlStep";

export const POLICY_MODEL = "sketchvl-policy";
const MESH_SERVICES = ["renderer", "prm", "trainer", "reward", "policy"];

export interface TrainingMesh {
  mesh: Mesh;
  clients: MeshClients;
  stop(): Promise<void>;
}

export async function startTrainingMesh(options: {
  policyRepository: string;
  trainerState: string;
  onLog?: (service: string, line: string) => void;
}): Promise<TrainingMesh> {
  const services = SERVICES.filter((s) => MESH_SERVICES.includes(s.name));
  const ports = new Map<string, number>();
  for (const s of services) ports.set(s.name, await freePort());
  const mesh = await startMesh({
    services,
    portOf: (s) => ports.get(s.name)!,
    readyTimeoutMs: 120_000,
    onLog: options.onLog,
    env: {
      POLICY_MODEL_REPOSITORY: options.policyRepository,
      POLICY_DEFAULT_MODEL: POLICY_MODEL,
      POLICY_LOAD_MODELS: POLICY_MODEL,
      // Rollouts carry every turn's model input for the learner (a group of 8 × 8 turns is 12 MiB at 128²).
      POLICY_MAX_MESSAGE_BYTES: String(256 * 1024 * 1024),
      PRM_MODEL_REPOSITORY: join(repoRoot, "models"),
      TRAINER_STATE_DIR: options.trainerState,
      // The loop calls the reward service over gRPC; its OpenRLHF HTTP port would collide with npm start's.
      REWARD_HTTP_PORT: "-1",
      SKETCHVL_LOG_LEVEL: process.env.SKETCHVL_LOG_LEVEL ?? "warn",
    },
  });
  // Rollouts with their model inputs are large (a group of 8 × 6 turns × 192 KiB).
  const channel = (service: string) => createMeshChannel(mesh.address(service), { maxMessageBytes: 256 * 1024 * 1024, security: mesh.security });
  const policyChannel = channel("policy");
  const rewardChannel = channel("reward");
  return {
    mesh,
    clients: {
      policy: createMeshClient(PolicyServiceDefinition, policyChannel, { deadlineMs: 10 * 60_000 }),
      reward: createMeshClient(RewardServiceDefinition, rewardChannel, { deadlineMs: 10 * 60_000 }),
    },
    async stop() {
      policyChannel.close();
      rewardChannel.close();
      await mesh.stop();
    },
  };
}
