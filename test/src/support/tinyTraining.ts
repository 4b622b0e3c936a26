// The smallest training run the RL loop accepts (a 32-pixel, one-layer policy, 2 SFT and 2 RL
// updates of 2 prompts × 2 rollouts): what the e2e tests drive through the real mesh.
import type { TrainingOptions } from "@sketchvl/trainer/rl";

export const tinyTraining = (outDir: string): TrainingOptions => ({
  outDir,
  mode: "finepo",
  seed: 3,
  architecture: { image_size: 32, d_model: 32, layers: 1, heads: 4, max_positions: 320 },
  threads: 1,
  sft: { charts: 2, updates: 2, batch: 4, learningRate: 0.002 },
  rl: {
    updates: 2,
    promptsPerUpdate: 2,
    groupSize: 2,
    learningRate: 3e-4,
    publishEvery: 1,
    trainCharts: 3,
    temperature: 1,
    topP: 1,
    maxTurns: 3,
    maxTokensPerTurn: 24,
    clipLow: 0.2,
    clipHigh: 0.28,
    klCoef: 0.02,
    entropyCoef: 0,
    microBatch: 8,
    concurrency: 2,
  },
  evaluation: { charts: 1, every: 100 },
});
