// Starts every built service, each as its own process, and stops them together.
import { builtServices, type ServiceSpec } from "./services";
import { launchService, type LaunchOptions, type RunningProcess } from "./processes";

export interface Mesh {
  processes: RunningProcess[];
  address(service: string): string;
  stop(): Promise<void>;
}

export async function startMesh(
  options: { services?: ServiceSpec[]; portOf?: (spec: ServiceSpec) => number } & Omit<LaunchOptions, "port"> = {},
): Promise<Mesh> {
  const services = options.services ?? builtServices();
  const portOf = options.portOf ?? ((s) => s.defaultPort);
  const host = options.host ?? "127.0.0.1";
  const peerArgs = (spec: ServiceSpec) =>
    Object.entries(spec.peers ?? {}).flatMap(([flag, peer]) => {
      const target = services.find((s) => s.name === peer);
      return target ? [flag, `${host}:${portOf(target)}`] : [];
    });
  const started = await Promise.allSettled(
    services.map((spec) => launchService(spec, { ...options, port: portOf(spec), args: [...peerArgs(spec), ...(options.args ?? [])] })),
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
    stop,
  };
}
