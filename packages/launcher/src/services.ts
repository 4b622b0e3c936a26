// The services of the mesh, where their entry points are and which port each takes by default.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export interface ServiceSpec {
  name: string;
  /** The gRPC service whose readiness means "this process is ready". */
  readiness: string;
  defaultPort: number;
  /** Flags that tell this service where the services it calls listen: flag → service name. */
  peers?: Record<string, string>;
}

export const SERVICES: readonly ServiceSpec[] = [
  { name: "renderer", readiness: "sketchvl.v1.RendererService", defaultPort: 50051 },
  { name: "trainer", readiness: "sketchvl.v1.TrainerService", defaultPort: 50052 },
  { name: "prm", readiness: "sketchvl.v1.PrmService", defaultPort: 50053 },
  { name: "policy", readiness: "sketchvl.v1.PolicyService", defaultPort: 50054, peers: { "--renderer-address": "renderer" } },
  {
    name: "reward",
    readiness: "sketchvl.v1.RewardService",
    defaultPort: 50055,
    peers: { "--renderer-address": "renderer", "--prm-address": "prm", "--trainer-address": "trainer" },
  },
];

export const repoRoot = resolve(__dirname, "..", "..", "..");

export function entryPoint(service: string): string {
  return join(repoRoot, "services", service, "dist", "main.js");
}

/** The services that exist in this checkout (built). */
export function builtServices(): ServiceSpec[] {
  return SERVICES.filter((s) => existsSync(entryPoint(s.name)));
}
