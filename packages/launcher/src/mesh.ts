// Starts every built service, each as its own process, and stops them together.
// SKETCHVL_MESH_TLS_DIR=<dir> turns mTLS on for all of them: ca.crt, tls.crt and tls.key from the
// directory (a dev CA and certificate are made there when it has none). Tokens need nothing here:
// the services read SKETCHVL_AUTH_* from the environment they inherit.
import { loadConfig, type MeshSecurity, meshSecurity, securityOptions } from "@sketchvl/runtime";
import { ensureDevCertificates, type TlsFiles } from "./devCertificates";
import { builtServices, type ServiceSpec } from "./services";
import { launchService, type LaunchOptions, type RunningProcess } from "./processes";

export interface Mesh {
  processes: RunningProcess[];
  address(service: string): string;
  /** What a client of this mesh needs: its TLS files and service token (createMeshChannel's `security`). */
  security: MeshSecurity;
  tls?: TlsFiles;
  stop(): Promise<void>;
}

/** The TLS files SKETCHVL_MESH_TLS_DIR names, made if missing; undefined when it is unset. */
export function meshTlsFromEnv(env: NodeJS.ProcessEnv = process.env): TlsFiles | undefined {
  const dir = env.SKETCHVL_MESH_TLS_DIR;
  return dir ? ensureDevCertificates(dir) : undefined;
}

/** The security a client of a mesh started with these TLS files and this environment uses. */
export function clientSecurity(tls: TlsFiles | undefined, env: NodeJS.ProcessEnv = process.env): MeshSecurity {
  const config = loadConfig("sketchvl", securityOptions(), [], env);
  return meshSecurity({ ...config, tlsCaFile: tls?.caFile ?? "", tlsCertFile: tls?.certFile ?? "", tlsKeyFile: tls?.keyFile ?? "" });
}

export async function startMesh(
  options: { services?: ServiceSpec[]; portOf?: (spec: ServiceSpec) => number } & Omit<LaunchOptions, "port"> = {},
): Promise<Mesh> {
  const services = options.services ?? builtServices();
  const portOf = options.portOf ?? ((s) => s.defaultPort);
  const host = options.host ?? "127.0.0.1";
  const tls = "tls" in options ? options.tls : meshTlsFromEnv(options.env ?? process.env);
  const peerArgs = (spec: ServiceSpec) =>
    Object.entries(spec.peers ?? {}).flatMap(([flag, peer]) => {
      const target = services.find((s) => s.name === peer);
      return target ? [flag, `${host}:${portOf(target)}`] : [];
    });
  const started = await Promise.allSettled(
    services.map((spec) => launchService(spec, { ...options, tls, port: portOf(spec), args: [...peerArgs(spec), ...(options.args ?? [])] })),
  );
  const processes = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
  };
  const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return {
    processes,
    address(service) {
      const found = processes.find((p) => p.spec.name === service);
      if (!found) throw new Error(`service ${service} is not running`);
      return found.address;
    },
    security: clientSecurity(tls, { ...process.env, ...options.env }),
    tls,
    stop,
  };
}
