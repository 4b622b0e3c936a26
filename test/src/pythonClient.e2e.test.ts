// The Python client (clients/python) against the real mesh: renderer, PRM, trainer and reward as
// their own processes on free loopback ports, then the Python unittest suite with their addresses
// in its environment. Debian's /usr/bin/python3 with python3-grpcio (and python3-numpy for the
// verl arrays); override with SKETCHVL_PYTHON.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { freePort, launchService, repoRoot, type RunningProcess, SERVICES, type ServiceSpec } from "@sketchvl/launcher";
import { rewardServiceArgs } from "./support/rewardMesh";

const python = process.env.SKETCHVL_PYTHON ?? "/usr/bin/python3";

function spec(name: string): ServiceSpec {
  const found = SERVICES.find((s) => s.name === name);
  if (!found) throw new Error(`unknown service ${name}`);
  return found;
}

/** Runs a command to completion without blocking the event loop (the services' log pipes keep draining). */
function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("python client", () => {
  const processes: RunningProcess[] = [];
  let work: string;
  let chartworld: string;
  let rewardAddress: string;
  let httpUrl: string;

  before(async () => {
    const probe = spawnSync(python, ["-c", "import grpc, google.protobuf, numpy"], { encoding: "utf8" });
    assert.equal(probe.status, 0, `${python} needs Debian's python3-grpcio and python3-numpy: ${probe.stderr ?? probe.error}`);

    work = mkdtempSync(join(tmpdir(), "python-client-e2e-"));
    // A ChartWorld test-split example, as a user would export it.
    chartworld = join(work, "chartworld");
    const exported = spawnSync(
      process.execPath,
      [join(repoRoot, "packages", "chartworld", "dist", "cli.js"), "export", "--split", "test", "--count", "1", "--out", chartworld],
      { encoding: "utf8", timeout: 60_000 },
    );
    assert.equal(exported.status, 0, exported.stderr);
    // The PRM's model repository: a seeded random scorer stands in for FinePRM (the client's
    // checks hold for any PRM).
    const models = join(work, "models");
    mkdirSync(join(models, "finepr", "1"), { recursive: true });
    writeFileSync(join(models, "finepr", "1", "config.json"), JSON.stringify({ backend: "random", seed: 11 }));
    mkdirSync(join(work, "trainer-state"));

    const quiet = ["--log-level", "warn"];
    const [renderer, trainer, prm] = await Promise.all([
      launchService(spec("renderer"), { port: await freePort(), args: quiet }),
      launchService(spec("trainer"), { port: await freePort(), args: [...quiet, "--state-dir", join(work, "trainer-state")] }),
      launchService(spec("prm"), {
        port: await freePort(),
        args: [...quiet, "--model-repository", models, "--load-models", "finepr", "--default-model", "finepr"],
      }),
    ]);
    processes.push(renderer, trainer, prm);
    const httpPort = await freePort();
    const reward = await launchService(spec("reward"), {
      port: await freePort(),
      args: [...quiet, ...rewardServiceArgs({ renderer, prm, trainer }, httpPort, chartworld)],
    });
    processes.push(reward);
    rewardAddress = reward.address;
    httpUrl = `http://127.0.0.1:${httpPort}`;
  });

  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("passes its unittest suite against the running mesh (score_group, stream_group, verl, TRL, OpenRLHF HTTP)", async (t) => {
    const { code, output } = await run(python, ["-m", "unittest", "discover", "-v", "-s", "clients/python/tests", "-t", "clients/python"], {
      cwd: repoRoot,
      env: {
        ...process.env,
        SKETCHVL_REWARD_ADDRESS: rewardAddress,
        SKETCHVL_REWARD_HTTP: httpUrl,
        SKETCHVL_CHARTWORLD_DIR: chartworld,
        // Fail, never skip, a live test whose mesh is missing.
        SKETCHVL_REQUIRE_MESH: "1",
        PYTHONDONTWRITEBYTECODE: "1",
      },
      timeoutMs: 100_000,
    });
    const summary = output.trim().split("\n").slice(-3).join(" | ");
    t.diagnostic(`python: ${summary}`);
    const logs = processes.map((p) => `--- ${p.spec.name}\n${p.logs.slice(-10).join("\n")}`).join("\n");
    assert.equal(code, 0, `python unittest suite failed (exit ${code}):\n${output}\n${logs}`);
    assert.match(output, /\nOK/);
  });
});
