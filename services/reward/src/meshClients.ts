// The three services the reward service calls, each through a mesh channel with a deadline.
import { PrmServiceDefinition, RendererServiceDefinition, TrainerServiceDefinition } from "@sketchvl/contract";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";

export function connectMesh(addresses: { renderer: string; prm: string; trainer: string }, deadlineMs: number) {
  const channels = [createMeshChannel(addresses.renderer), createMeshChannel(addresses.prm), createMeshChannel(addresses.trainer)];
  return {
    renderer: createMeshClient(RendererServiceDefinition, channels[0], { deadlineMs }),
    prm: createMeshClient(PrmServiceDefinition, channels[1], { deadlineMs }),
    trainer: createMeshClient(TrainerServiceDefinition, channels[2], { deadlineMs }),
    close: () => channels.forEach((c) => c.close()),
  };
}

export type MeshClients = ReturnType<typeof connectMesh>;
