// The three services the reward service calls, each through a mesh channel with a deadline. A failed
// call throws a typed error naming the service (UnavailableError, FailedPreconditionError, ...; see
// fromClientError in packages/runtime), so its status is decided by kind in one place.
import { PrmServiceDefinition, RendererServiceDefinition, TrainerServiceDefinition } from "@sketchvl/contract";
import { createMeshChannel, createMeshClient, type MeshSecurity } from "@sketchvl/runtime";

/**
 * `maxMessageBytes`: this service's --max-message-bytes, so raising it raises what its calls may
 * send; `security`: its TLS files and service token (meshSecurity(config)).
 */
export function connectMesh(
  addresses: { renderer: string; prm: string; trainer: string },
  deadlineMs: number,
  maxMessageBytes: number,
  security?: MeshSecurity,
) {
  const channel = (address: string) => createMeshChannel(address, { maxMessageBytes, security });
  const channels = [channel(addresses.renderer), channel(addresses.prm), channel(addresses.trainer)];
  return {
    renderer: createMeshClient(RendererServiceDefinition, channels[0], { deadlineMs, dependency: "renderer" }),
    prm: createMeshClient(PrmServiceDefinition, channels[1], { deadlineMs, dependency: "prm" }),
    trainer: createMeshClient(TrainerServiceDefinition, channels[2], { deadlineMs, dependency: "trainer" }),
    close: () =>
      channels.forEach((c) => {
        c.close();
      }),
  };
}

export type MeshClients = ReturnType<typeof connectMesh>;
