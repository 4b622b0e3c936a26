// RL updates per second through the whole mesh (policy rollouts with the renderer in the loop,
// reward scoring with the PRM and the trainer, the learner's PPO step), and where an update's time
// goes. Baseline, measured in the same run: the learner's own step on the same batches — what a
// single-process trainer with rollouts and rewards for free would pay — so the ratio is the cost
// of producing and scoring the batch through the mesh.
//   npm run bench:training -- [--updates N] [--prompts N] [--group-size K] [--sft-updates N]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runTraining } from "@sketchvl/trainer/rl";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      updates: { type: "string", default: "6" },
      prompts: { type: "string", default: "8" },
      "group-size": { type: "string", default: "8" },
      "sft-updates": { type: "string", default: "20" },
    },
  });
  const out = mkdtempSync(join(tmpdir(), "bench-training-"));
  try {
    const updates = Number(values.updates);
    const result = await runTraining({
      outDir: out,
      mode: "finepo",
      seed: 1,
      architecture: { image_size: 128, d_model: 128, layers: 2, heads: 4, max_positions: 320 },
      threads: 2,
      sft: { charts: 40, updates: Number(values["sft-updates"]), batch: 32, learningRate: 0.002 },
      rl: {
        updates,
        promptsPerUpdate: Number(values.prompts),
        groupSize: Number(values["group-size"]),
        learningRate: 3e-4,
        publishEvery: updates + 1,
        trainCharts: 40,
        temperature: 1,
        topP: 1,
        maxTurns: 8,
        maxTokensPerTurn: 48,
        clipLow: 0.2,
        clipHigh: 0.28,
        klCoef: 0.02,
        entropyCoef: 0,
        microBatch: 32,
        concurrency: 4,
      },
      evaluation: { charts: 1, every: 1000 },
    });
    // The first update pays for warm-up (sessions, caches): reported apart.
    const steady = result.history.slice(1);
    const sum = (f: (h: (typeof steady)[number]) => number) => steady.reduce((a, h) => a + f(h), 0);
    const wall = sum((h) => h.seconds.rollout + h.seconds.reward + h.seconds.update);
    const learner = sum((h) => h.seconds.update);
    const responses = sum((h) => h.responses);
    const tokens = sum((h) => h.tokens);
    console.log(`RL updates through the mesh: ${values.prompts} prompts × k=${values["group-size"]}, ${steady.length} updates after a warm-up one`);
    console.log(`  updates/s                      ${(steady.length / wall).toFixed(3)}  (${(wall / steady.length).toFixed(2)} s per update)`);
    console.log(`  rollout (policy + renderer)    ${(sum((h) => h.seconds.rollout) / steady.length).toFixed(2)} s per update`);
    console.log(`  reward (renderer, PRM, trainer) ${(sum((h) => h.seconds.reward) / steady.length).toFixed(2)} s per update`);
    console.log(`  learner PPO step               ${(learner / steady.length).toFixed(2)} s per update (${(tokens / learner).toFixed(0)} tokens/s)`);
    console.log(`  responses per update           ${(responses / steady.length).toFixed(1)}`);
    console.log(
      `  ratio to the learner-only baseline: ${(wall / learner).toFixed(2)}× the time (the mesh's rollouts and scoring cost ${(((wall - learner) / wall) * 100).toFixed(0)}% of an update)`,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

void main();
