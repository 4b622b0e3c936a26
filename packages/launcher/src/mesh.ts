// Starts every built service, each as its own process (or several: `replicas`), and stops them together.
// SKETCHVL_MESH_TLS_DIR=<dir> turns mTLS on for all of them: ca.crt, tls.crt and tls.key from the
// directory (a dev CA and certificate are made there when it has none). Tokens need nothing here:
// the services read SKETCHVL_AUTH_* from the environment they inherit.
import { isIPv4 } from "node:net";
import { loadConfig, type MeshSecurity, meshSecurity, securityOptions } from "@sketchvl/runtime";
import { ensureDevCertificates, type TlsFiles } from "./devCertificates";
import { builtServices, type ServiceSpec } from "./services";
import { launchService, type LaunchOptions, type RunningProcess } from "./processes";

export interface Mesh {
  processes: RunningProcess[];
  /**
   * The target a client of `service` dials: "host:port", or with several replicas one target listing
   * them all ("ipv4:host:p1,host:p2"), over which createMeshChannel's round_robin spreads calls.
   */
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

/**
 * Several replicas of a service on one host in one target: grpc-js's ipv4 resolver takes a list,
 * as a dns:/// name resolving to every replica does in a cluster.
 */
function targetOf(host: string, ports: number[]): string {
  if (ports.length === 1) return `${host}:${ports[0]}`;
  if (!isIPv4(host)) throw new Error(`replicas are listed in one ipv4: target, so the host must be an IPv4 address, not ${host}`);
  return `ipv4:${ports.map((p) => `${host}:${p}`).join(",")}`;
}

export async function startMesh(
  options: {
    services?: ServiceSpec[];
    /** The port of a service's replica (0, 1, ...). Default: its default port, for one replica. */
    portOf?: (spec: ServiceSpec, replica: number) => number;
    /** How many processes of a service to start (default 1); its peers balance over them. */
    replicas?: (spec: ServiceSpec) => number;
  } & Omit<LaunchOptions, "port"> = {},
): Promise<Mesh> {
  const services = options.services ?? builtServices();
  const replicas = options.replicas ?? (() => 1);
  const portOf =
    options.portOf ??
    ((s, replica) => {
      if (replica > 0) throw new Error(`${s.name}: several replicas need portOf (they cannot all take the default port)`);
      return s.defaultPort;
    });
  const host = options.host ?? "127.0.0.1";
  const tls = "tls" in options ? options.tls : meshTlsFromEnv(options.env ?? process.env);
  const ports = new Map(services.map((s) => [s.name, Array.from({ length: replicas(s) }, (_, r) => portOf(s, r))]));
  const peerArgs = (spec: ServiceSpec) =>
    Object.entries(spec.peers ?? {}).flatMap(([flag, peer]) => {
      const peerPorts = ports.get(peer);
      return peerPorts ? [flag, targetOf(host, peerPorts)] : [];
    });
  const started = await Promise.allSettled(
    services.flatMap((spec) =>
      ports.get(spec.name)!.map((port) => launchService(spec, { ...options, tls, port, args: [...peerArgs(spec), ...(options.args ?? [])] })),
    ),
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
      const found = processes.filter((p) => p.spec.name === service);
      if (found.length === 0) throw new Error(`service ${service} is not running`);
      return found.length === 1 ? found[0].address : targetOf(host, ports.get(service)!);
    },
    security: clientSecurity(tls, { ...process.env, ...options.env }),
    tls,
    stop,
  };
}
