// The learner is a Python process (PyTorch; services/learner) the RL loop starts and drives over
// gRPC: it owns the weights and the optimizer, the loop owns everything else.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { LearnerServiceDefinition } from "@sketchvl/contract";
import { clientSecurity, meshTlsFromEnv, type TlsFiles } from "@sketchvl/launcher";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import type { Channel } from "nice-grpc";

export const LEARNER_DIR = join(__dirname, "..", "..", "..", "learner");
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
const START_TIMEOUT_MS = 60_000;

export type LearnerClient = ReturnType<typeof createLearnerClient>;

function createLearnerClient(channel: Channel) {
  // Updates of a big batch take seconds to minutes on CPU.
  return createMeshClient(LearnerServiceDefinition, channel, { deadlineMs: 30 * 60_000 });
}

export interface LearnerWorker {
  client: LearnerClient;
  address: string;
  stop(): Promise<void>;
}

/**
 * Starts the learner on a free loopback port; `python` is Debian's interpreter with python3-torch.
 * With the mesh's TLS files (SKETCHVL_MESH_TLS_DIR, as the services get them), it serves mTLS and
 * the loop's channel presents the mesh's certificate.
 */
export async function startLearner(options: { python?: string; threads?: number; log?: (line: string) => void; tls?: TlsFiles } = {}): Promise<LearnerWorker> {
  const python = options.python ?? process.env.SKETCHVL_PYTHON ?? "/usr/bin/python3";
  const tls = options.tls ?? meshTlsFromEnv();
  const tlsArgs = tls ? ["--tls-ca-file", tls.caFile, "--tls-cert-file", tls.certFile, "--tls-key-file", tls.keyFile] : [];
  const child = spawn(python, [join(LEARNER_DIR, "main.py"), "--host", "127.0.0.1", "--port", "0", ...tlsArgs], {
    cwd: LEARNER_DIR,
    stdio: ["ignore", "pipe", "pipe"],
    // One BLAS thread pool: PyTorch's intra-op threads are set per run (InitPolicy.threads).
    env: { ...process.env, OMP_NUM_THREADS: String(options.threads ?? 2) },
  });
  const address = await listeningAddress(child, options.log);
  const channel = createMeshChannel(address, { maxMessageBytes: MAX_MESSAGE_BYTES, security: clientSecurity(tls) });
  return {
    client: createLearnerClient(channel),
    address,
    async stop() {
      channel.close();
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

function listeningAddress(child: ChildProcess, log?: (line: string) => void): Promise<string> {
  const recent: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the learner did not start within ${START_TIMEOUT_MS} ms:\n${recent.join("\n")}`));
    }, START_TIMEOUT_MS);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => {
        recent.push(line);
        if (recent.length > 40) recent.shift();
        log?.(line);
        const m = /^learner listening on (\S+:\d+)$/.exec(line.trim());
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    }
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start the learner (${err.message}): it needs Debian's python3 with python3-torch`));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the learner exited with code ${code} before listening:\n${recent.join("\n")}`));
    });
  });
}
