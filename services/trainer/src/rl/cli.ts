#!/usr/bin/env node
// sketchvl-train: the RL loop from the command line.
//   train     SFT then RL (default finepo) on ChartWorld through the mesh; re-running resumes
//   ablation  SFT only / GRPO / FinePO / random PRM / no KL, two seeds, one table and the curves
// Every option has a default sized for 2 CPU cores; `--help` lists them.
import { rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { runAblation, writeCurves } from "./ablation";
import { CURRICULUM_MODES, type Curriculum, OUTCOME_KINDS, type OutcomeSettings, validateCurriculum } from "./curriculum";
import { consoleReporter } from "./reporter";
import { RL_MODES, type RlMode } from "./rlStep";
import { type TrainingMode, type TrainingOptions, runTraining } from "./run";

const OPTIONS = {
  out: { type: "string", doc: "results folder (train: results/train, ablation: results/ablation)" },
  mode: { type: "string", default: "finepo", doc: `train only: sft | ${RL_MODES.join(" | ")}` },
  seed: { type: "string", default: "1", doc: "train only: the run's seed" },
  seeds: { type: "string", default: "1,2", doc: "ablation only: seeds, comma-separated" },
  arms: { type: "string", default: RL_MODES.join(","), doc: "ablation only: RL arms (SFT-only is always reported)" },
  fresh: { type: "boolean", default: false, doc: "start over instead of resuming what the folder holds" },
  "sft-charts": { type: "string", default: "600", doc: "ChartWorld train charts (3 questions each) for SFT" },
  "sft-updates": { type: "string", default: "500", doc: "SFT optimizer steps" },
  "sft-batch": { type: "string", default: "32", doc: "SFT sequences per step" },
  "sft-lr": { type: "string", default: "0.002", doc: "SFT learning rate (AdamW)" },
  "rl-updates": { type: "string", default: "30", doc: "RL updates" },
  "prompts-per-update": { type: "string", default: "8", doc: "prompts per RL update" },
  "group-size": { type: "string", default: "8", doc: "rollouts per prompt (k)" },
  "rl-lr": { type: "string", default: "0.0003", doc: "RL learning rate" },
  "kl-coef": { type: "string", default: "0.02", doc: "KL to the SFT policy in the loss" },
  "train-charts": { type: "string", default: "400", doc: "ChartWorld train charts prompts are drawn from" },
  "eval-charts": { type: "string", default: "40", doc: "ChartWorld test charts for held-out evaluation (3 questions each)" },
  "eval-every": { type: "string", default: "10", doc: "evaluate every N RL updates (and at the end)" },
  "publish-every": { type: "string", default: "5", doc: "publish a policy version (and checkpoint) every N updates" },
  reward: {
    type: "string",
    default: "relaxed-accuracy",
    doc: `outcome reward: ${OUTCOME_KINDS.join(" | ")} (W_map + W_question and sub-answers from ChartWorld)`,
  },
  "detail-alpha": { type: "string", default: "0.5", doc: "rewardmap: weight α of the detail reward (share of sub-answers found)" },
  curriculum: { type: "string", default: "off", doc: `${CURRICULUM_MODES.join(" | ")}: perception questions first, then reasoning (needs --reward rewardmap)` },
  "perception-updates": { type: "string", default: "10", doc: "--curriculum schedule: RL updates on perception questions before reasoning" },
  "switch-accuracy": { type: "string", default: "0.2", doc: "--curriculum accuracy: held-out perception accuracy (0..1) that ends the perception stage" },
  threads: { type: "string", default: "2", doc: "PyTorch threads in the learner" },
  "image-size": { type: "string", default: "128", doc: "policy input image side (pixels)" },
  "d-model": { type: "string", default: "128", doc: "policy width" },
  layers: { type: "string", default: "2", doc: "policy decoder layers" },
  help: { type: "boolean", default: false, doc: "this text" },
} as const;

function usage(): string {
  const rows = Object.entries(OPTIONS).map(([k, o]) => `  --${k.padEnd(20)} ${o.doc}${"default" in o && o.type === "string" ? ` (default ${o.default})` : ""}`);
  return ["usage: sketchvl-train [train|ablation] [options]", ...rows].join("\n");
}

function positiveInt(values: Record<string, unknown>, name: string): number {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: expected a positive integer, got "${values[name]}"`);
  return n;
}

function positiveNumber(values: Record<string, unknown>, name: string, { allowZero = false } = {}): number {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
    throw new Error(`--${name}: expected a ${allowZero ? "non-negative" : "positive"} number, got "${values[name]}"`);
  return n;
}

function oneOf<T extends string>(values: Record<string, unknown>, name: string, allowed: readonly T[]): T {
  const v = String(values[name]);
  if (!allowed.includes(v as T)) throw new Error(`--${name}: expected ${allowed.join(" | ")}, got "${v}"`);
  return v as T;
}

function outcomeOf(v: Record<string, unknown>): OutcomeSettings {
  return oneOf(v, "reward", OUTCOME_KINDS) === "rewardmap"
    ? { kind: "rewardmap", detailAlpha: positiveNumber(v, "detail-alpha", { allowZero: true }) }
    : { kind: "relaxed-accuracy" };
}

function curriculumOf(v: Record<string, unknown>): Curriculum {
  const mode = oneOf(v, "curriculum", CURRICULUM_MODES);
  if (mode === "schedule") return { mode, perceptionUpdates: positiveInt(v, "perception-updates") };
  if (mode === "accuracy") return { mode, switchAccuracy: positiveNumber(v, "switch-accuracy", { allowZero: true }) };
  return { mode };
}

function baseOptions(v: Record<string, unknown>): Omit<TrainingOptions, "outDir" | "mode" | "seed"> {
  const options = {
    architecture: {
      image_size: positiveInt(v, "image-size"),
      d_model: positiveInt(v, "d-model"),
      layers: positiveInt(v, "layers"),
      heads: 4,
      max_positions: 320,
    },
    threads: positiveInt(v, "threads"),
    sft: {
      charts: positiveInt(v, "sft-charts"),
      updates: positiveInt(v, "sft-updates"),
      batch: positiveInt(v, "sft-batch"),
      learningRate: positiveNumber(v, "sft-lr"),
    },
    rl: {
      updates: positiveInt(v, "rl-updates"),
      promptsPerUpdate: positiveInt(v, "prompts-per-update"),
      groupSize: positiveInt(v, "group-size"),
      learningRate: positiveNumber(v, "rl-lr"),
      trainCharts: positiveInt(v, "train-charts"),
      publishEvery: positiveInt(v, "publish-every"),
      temperature: 1,
      topP: 1,
      maxTurns: 8,
      maxTokensPerTurn: 48,
      clipLow: 0.2,
      clipHigh: 0.28,
      klCoef: positiveNumber(v, "kl-coef", { allowZero: true }),
      entropyCoef: 0,
      microBatch: 32,
      concurrency: 4,
      outcome: outcomeOf(v),
    },
    evaluation: { charts: positiveInt(v, "eval-charts"), every: positiveInt(v, "eval-every") },
    curriculum: curriculumOf(v),
  };
  validateCurriculum(options.curriculum, options.rl.outcome, options.rl, options.evaluation);
  return options;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: OPTIONS as never, allowPositionals: true }) as {
    values: Record<string, unknown>;
    positionals: string[];
  };
  const command = positionals[0] ?? "train";
  if (values.help || !["train", "ablation"].includes(command)) {
    console.log(usage());
    process.exit(values.help ? 0 : 2);
  }
  let base: ReturnType<typeof baseOptions>;
  try {
    base = baseOptions(values);
    if (command === "train" && values.mode !== "sft" && !RL_MODES.includes(values.mode as RlMode))
      throw new Error(`--mode: expected sft or one of ${RL_MODES.join(", ")}, got "${values.mode}"`);
  } catch (err) {
    console.error(`sketchvl-train: ${(err as Error).message}\n\n${usage()}`);
    process.exit(2);
  }
  const out = resolve((values.out as string | undefined) ?? join("results", command));
  if (values.fresh) rmSync(out, { recursive: true, force: true });
  const started = Date.now();
  if (command === "train") {
    const mode = values.mode as TrainingMode;
    const seed = positiveInt(values, "seed");
    const result = await runTraining({ ...base, outDir: out, mode, seed, report: consoleReporter() });
    const curves = await writeCurves(out, `SketchVL Mesh: ${mode} on ChartWorld (seed ${seed})`, [{ arm: mode, seed, result }]);
    writeFileSync(join(out, "summary.json"), `${JSON.stringify({ mode, seed, state: result.state, evaluations: result.evaluations }, null, 2)}\n`);
    console.log(
      `\ndone in ${((Date.now() - started) / 60000).toFixed(1)} min: ${out}/ (history.jsonl, evaluations.jsonl, summary.json, ${curves.svg}, ${curves.png}, models/)`,
    );
  } else {
    const seeds = String(values.seeds).split(",").map(Number);
    const arms = String(values.arms).split(",") as RlMode[];
    for (const a of arms) if (!RL_MODES.includes(a)) throw new Error(`--arms: unknown arm "${a}"`);
    const { table, results } = await runAblation({ outDir: out, seeds, arms, base });
    writeFileSync(join(out, "table.md"), `${table}\n`);
    const curves = await writeCurves(out, "SketchVL Mesh ablation on ChartWorld", results);
    console.log(`\n${table}\n\ndone in ${((Date.now() - started) / 60000).toFixed(1)} min: ${join(out, "table.md")}, ${curves.svg}, ${curves.png}`);
  }
}

main().catch((err) => {
  console.error(`sketchvl-train: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
