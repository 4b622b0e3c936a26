// The learner is Python (PyTorch): this runs its unittest suite (services/learner/tests) so it
// is part of `npm test`. Debian's /usr/bin/python3 with python3-torch, python3-grpcio,
// python3-numpy, python3-onnx (and libopenblas0-pthread); override with SKETCHVL_PYTHON.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { describe, it } from "node:test";

const python = process.env.SKETCHVL_PYTHON ?? "/usr/bin/python3";
const learnerDir = resolve(__dirname, "..");

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((done, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

describe("learner (Python)", () => {
  it("passes its unittest suite", async () => {
    const probe = await run(python, ["-c", "import torch, grpc, numpy, onnx"], learnerDir, 60_000);
    assert.equal(probe.code, 0, `${python} needs Debian's python3-torch, python3-grpcio, python3-numpy, python3-onnx:\n${probe.output}`);
    const result = await run(python, ["-m", "unittest", "discover", "-s", "tests", "-t", "tests"], learnerDir, 110_000);
    assert.equal(result.code, 0, `python unittest failed (exit ${result.code}):\n${result.output}`);
  });
});
