// The RL loop through real processes: the PyTorch learner, renderer, PRM, trainer, reward and
// policy services. A few tiny updates publish new policy versions that the policy service switches
// to while other callers keep generating (none of their calls fails); a run killed mid-way (the
// whole process group, as a pod kill would) resumes from its checkpoint with the same data order.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { generateExample, rasterizeSvg, seedsOfSplit } from "@sketchvl/chartworld";
import { repoRoot } from "@sketchvl/launcher";
import { POLICY_MODEL, RunFolder, loadPrompts, promptBatch, runTraining } from "@sketchvl/trainer/rl";
import { tinyTraining } from "./support/tinyTraining";

const TINY = [
  "--sft-charts",
  "2",
  "--sft-updates",
  "2",
  "--sft-batch",
  "4",
  "--rl-updates",
  "3",
  "--prompts-per-update",
  "2",
  "--group-size",
  "2",
  "--publish-every",
  "1",
  "--eval-charts",
  "1",
  "--eval-every",
  "100",
  "--train-charts",
  "3",
  "--image-size",
  "32",
  "--d-model",
  "32",
  "--layers",
  "1",
  "--threads",
  "1",
];

describe("training through the mesh", () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), "training-e2e-"));
    dirs.push(d);
    return d;
  };
  after(() =>
    dirs.forEach((d) => {
      rmSync(d, { recursive: true, force: true });
    }),
  );

  it("trains SFT then FinePO updates, publishing versions the policy switches to with no failed request", async () => {
    const out = tmp();
    const example = await generateExample(seedsOfSplit("test").next().value as number);
    assert.ok(example);
    const png = await rasterizeSvg(example.chart.svg);
    const load = { calls: 0, failures: [] as string[], versions: new Set<string>() };
    let stopLoad = false;
    const result = await runTraining({
      ...tinyTraining(out),
      onMesh: ({ clients }) => {
        // Another caller of the same policy service, generating without pause through every switch.
        const loadDone = (async () => {
          while (!stopLoad) {
            try {
              const r = await clients.policy.generate({
                requestId: "",
                model: "",
                image: { source: { $case: "encoded", value: png } },
                question: example.questions[0].question,
                sampling: { groupSize: 2, maxTurns: 2, maxTokensPerTurn: 8 },
                returnModelInputs: false,
              } as never);
              load.calls++;
              r.rollouts.forEach((x) => {
                load.versions.add(x.version);
              });
            } catch (err) {
              load.failures.push((err as Error).message);
            }
          }
        })();
        return async () => {
          stopLoad = true;
          await loadDone;
        };
      },
    });
    assert.deepEqual(load.failures, []);
    assert.ok(load.calls > 0);
    assert.equal(result.state.phase, "done");
    assert.equal(result.state.updates, 2);
    // Version 1 is the SFT export; each update published one more, and the loop's rollouts moved on.
    assert.equal(result.state.policyVersion, 3);
    assert.deepEqual(
      result.history.map((h) => [h.update, h.policyVersion]),
      [
        [0, "1"],
        [1, "2"],
      ],
    );
    assert.ok(load.versions.size >= 2, `the other caller saw versions ${[...load.versions]}`);
    const versions = readdirSync(join(out, "models", POLICY_MODEL)).sort();
    assert.deepEqual(versions, ["1", "2", "3"]);
    for (const h of result.history) {
      assert.ok(h.tokens > 0, "the learner trained on tokens");
      assert.ok(Number.isFinite(h.loss) && Number.isFinite(h.kl) && Number.isFinite(h.entropy));
      assert.ok(h.reward >= 0 && h.reward <= 1 && h.accuracy >= 0 && h.accuracy <= 1);
    }
    assert.ok(result.evaluations.length >= 2, "held-out evaluations before and after RL");
  });

  it("resumes a killed run from its checkpoint with the same data order", async () => {
    const out = tmp();
    const cli = join(repoRoot, "services", "trainer", "dist", "rl", "cli.js");
    const args = [cli, "train", "--out", out, "--seed", "5", ...TINY];
    // First run: killed (with its learner and services: the whole process group) after update 1.
    const first = spawn(process.execPath, args, { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let firstLog = "";
    first.stdout.on("data", (d) => (firstLog += d));
    first.stderr.on("data", (d) => (firstLog += d));
    const folder = new RunFolder(out);
    const deadline = Date.now() + 240_000;
    while ((folder.readState()?.updates ?? 0) < 1) {
      assert.ok(first.exitCode === null, `the first run ended early:\n${firstLog}`);
      assert.ok(Date.now() < deadline, `no checkpoint after update 1:\n${firstLog}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    process.kill(-first.pid!, "SIGKILL");
    const killedAt = folder.readState()!.updates;
    assert.ok(killedAt >= 1 && killedAt < 3, `killed at ${killedAt}`);

    const second = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    second.stdout.on("data", (d) => (log += d));
    second.stderr.on("data", (d) => (log += d));
    const code = await new Promise((r) => second.once("exit", r));
    assert.equal(code, 0, log);
    assert.match(log, new RegExp(`resuming .* at RL update ${killedAt}`));
    const state = folder.readState()!;
    assert.equal(state.phase, "done");
    assert.equal(state.updates, 3);
    assert.deepEqual(
      folder.history(3).map((h) => h.update),
      [0, 1, 2],
    );
    // The same prompts, update by update, as an uninterrupted run would have drawn.
    const train = await loadPrompts("train", 3);
    assert.deepEqual(
      folder.history(3).map((h) => h.promptIds),
      [0, 1, 2].map((u) => promptBatch(train, 5, u, 2).map((p) => p.id)),
    );
    assert.ok(existsSync(join(out, "curves.svg")) && existsSync(join(out, "summary.json")));
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    assert.equal(summary.state.updates, 3);
  });
});
