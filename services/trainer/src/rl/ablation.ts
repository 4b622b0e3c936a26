// The paper's ablation in miniature: SFT only, GRPO, FinePO, FinePO with a random PRM and FinePO
// without the KL action regularization, all from one SFT checkpoint (as the paper's arms share
// theirs); each RL seed changes the sampling and the data order. One table (held-out accuracy, FinePRM vs reference step quality, action mix,
// updates to reach GRPO's final accuracy) and the curves.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { curvesSvg, type Marker, type Panel, svgToPng } from "./curves";
import type { RlMode } from "./rlStep";
import { type TrainingOptions, type TrainingResult, runTraining } from "./run";
import type { EvalRecord } from "./runState";
import { consoleReporter } from "./reporter";

export interface AblationOptions {
  outDir: string;
  /** RL seeds; the first also seeds the shared SFT. */
  seeds: number[];
  arms: RlMode[];
  base: Omit<TrainingOptions, "outDir" | "mode" | "seed" | "startFrom" | "report">;
}

export interface ArmResult {
  arm: string;
  seed: number;
  result: TrainingResult;
}

export async function runAblation(options: AblationOptions): Promise<{ table: string; results: ArmResult[] }> {
  const results: ArmResult[] = [];
  const sftSeed = options.seeds[0];
  const sft = await runTraining({ ...options.base, outDir: join(options.outDir, "sft"), mode: "sft", seed: sftSeed, report: consoleReporter("[sft] ") });
  results.push({ arm: "sft", seed: sftSeed, result: sft });
  for (const seed of options.seeds) {
    for (const arm of options.arms) {
      const result = await runTraining({
        ...options.base,
        outDir: join(options.outDir, `seed${seed}`, arm),
        mode: arm,
        seed,
        startFrom: { checkpoint: sft.state.checkpoint, sftUpdates: sft.state.sftUpdates },
        report: consoleReporter(`[seed ${seed} ${arm}] `),
      });
      results.push({ arm, seed, result });
    }
  }
  const table = ablationTable(results, options.arms);
  return { table, results };
}

const last = (evals: EvalRecord[]) => evals[evals.length - 1];
const pct = (v: number) => `${(100 * v).toFixed(1)}`;

function meanSpread(all: (number | null)[], format: (v: number) => string): string {
  const values = all.filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return "—";
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length === 1) return format(mean);
  const spread = (Math.max(...values) - Math.min(...values)) / 2;
  return `${format(mean)} ± ${format(spread)}`;
}

/** The first evaluated update at which `evals` reach `target` accuracy. */
function updatesToReach(evals: EvalRecord[], target: number): number | undefined {
  return evals.find((e) => e.accuracy >= target)?.update;
}

export function ablationTable(results: ArmResult[], arms: RlMode[]): string {
  const rows = ["sft", ...arms].map((arm) => {
    const runs = results.filter((r) => r.arm === arm);
    const finals = runs.map((r) => last(r.result.evaluations)).filter(Boolean);
    const mix: Record<string, number> = {};
    for (const f of finals) for (const [k, v] of Object.entries(f.actionMix)) mix[k] = (mix[k] ?? 0) + v / finals.length;
    const reach = runs.map((r) => {
      const grpo = results.find((g) => g.arm === "grpo" && g.seed === r.seed);
      const target = grpo ? last(grpo.result.evaluations)?.accuracy : undefined;
      return target === undefined ? undefined : updatesToReach(r.result.evaluations, target);
    });
    return [
      arm,
      meanSpread(
        finals.map((f) => f.accuracy),
        pct,
      ),
      meanSpread(
        finals.map((f) => f.meanProcessScore),
        (v) => v.toFixed(2),
      ),
      meanSpread(
        finals.map((f) => f.meanReferenceScore),
        (v) => v.toFixed(2),
      ),
      meanSpread(
        finals.map((f) => f.stepsPerResponse),
        (v) => v.toFixed(1),
      ),
      Object.entries(mix)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${(100 * v).toFixed(0)}%`)
        .join(", ") || "—",
      arm === "sft" ? "—" : reach.map((u) => (u === undefined ? "never" : String(u))).join(" / "),
    ];
  });
  const header = [
    "arm",
    "held-out accuracy %",
    "FinePRM step score",
    "reference step score",
    "steps / answer",
    "action mix",
    "updates to GRPO's final acc. (per seed)",
  ];
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Curves of every RL run: held-out accuracy, training reward, FinePRM and reference step scores, KL. */
export async function writeCurves(dir: string, title: string, runs: ArmResult[]): Promise<{ svg: string; png: string }> {
  const rl = runs.filter((r) => r.arm !== "sft");
  const name = (r: ArmResult) => `${r.arm} (seed ${r.seed})`;
  const panels: Panel[] = curvePanels(rl, name);
  // Where a curriculum run moved from perception to reasoning: the first reasoning update.
  const switches = rl.flatMap((r) => {
    const first = r.result.history.find((h) => h.stage === "reasoning");
    return first ? [{ r, x: first.update }] : [];
  });
  // The arm's name only when several runs switch (each at its own update).
  const markers: Marker[] = switches.map(({ r, x }) => ({ x, label: switches.length > 1 ? `${name(r)}: reasoning →` : "reasoning →" }));
  for (const p of panels) p.markers = markers;
  const svg = curvesSvg(title, panels);
  const svgPath = join(dir, "curves.svg");
  const pngPath = join(dir, "curves.png");
  writeFileSync(svgPath, svg);
  writeFileSync(pngPath, await svgToPng(svg));
  return { svg: svgPath, png: pngPath };
}

function curvePanels(rl: ArmResult[], name: (r: ArmResult) => string): Panel[] {
  return [
    { title: "held-out accuracy", series: rl.map((r) => ({ name: name(r), points: r.result.evaluations.map((e) => ({ x: e.update, y: e.accuracy })) })) },
    // Split by question kind: what a curriculum's stages aim at (evaluations before the split have none).
    {
      title: "held-out accuracy: perception questions",
      series: rl.map((r) => ({ name: name(r), points: r.result.evaluations.map((e) => ({ x: e.update, y: e.perceptionAccuracy ?? Number.NaN })) })),
    },
    {
      title: "held-out accuracy: reasoning questions",
      series: rl.map((r) => ({ name: name(r), points: r.result.evaluations.map((e) => ({ x: e.update, y: e.reasoningAccuracy ?? Number.NaN })) })),
    },
    {
      title: "training reward (mean outcome)",
      series: rl.map((r) => ({ name: name(r), points: r.result.history.map((h) => ({ x: h.update + 1, y: h.reward })) })),
    },
    {
      title: "FinePRM mean step score (training)",
      series: rl.map((r) => ({ name: name(r), points: r.result.history.map((h) => ({ x: h.update + 1, y: h.meanProcessScore })) })),
    },
    {
      title: "reference step score (training)",
      series: rl.map((r) => ({ name: name(r), points: r.result.history.map((h) => ({ x: h.update + 1, y: h.meanReferenceScore })) })),
    },
    { title: "KL to the SFT policy", series: rl.map((r) => ({ name: name(r), points: r.result.history.map((h) => ({ x: h.update + 1, y: h.kl })) })) },
    // (histories written before the kinds took the contract's names call the rectangle "box")
    {
      title: "rectangle share of actions",
      series: rl.map((r) => ({ name: name(r), points: r.result.history.map((h) => ({ x: h.update + 1, y: h.actionMix.rectangle ?? h.actionMix.box ?? 0 })) })),
    },
  ];
}
