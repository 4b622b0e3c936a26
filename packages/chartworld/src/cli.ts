#!/usr/bin/env node
// chartworld export | export-sft | export-prm: see README.md.
import { SPLITS } from "./splits";
import type { Split } from "./chartTypes";
import { exportExamples, exportPrm, exportSft } from "./export";

const USAGE = `usage:
  chartworld export     --split train|validation|test --count N --out DIR [--offset N] [--questions K] [--overlays]
  chartworld export-sft --split train|validation|test --count N --out DIR [--offset N] [--questions K] [--no-system]
  chartworld export-prm --split train|validation|test --count N --out DIR [--offset N] [--images]
(--count is charts for export / export-sft, samples for export-prm)`;

function parseArgs(argv: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith("--")) m.set(a.slice(2), "true");
    else m.set(a.slice(2), argv[++i]);
  }
  return m;
}

function int(args: Map<string, string>, key: string, dflt?: number): number {
  const v = args.get(key);
  if (v === undefined) {
    if (dflt === undefined) throw new Error(`--${key} is required`);
    return dflt;
  }
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${key} must be a non-negative integer`);
  return n;
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "--help" || cmd === "-h") {
    console.log(USAGE);
    return;
  }
  const args = parseArgs(rest);
  const split = (args.get("split") ?? "train") as Split;
  if (!SPLITS.includes(split)) throw new Error(`--split must be one of ${SPLITS.join(", ")}`);
  const out = args.get("out");
  if (!out) throw new Error("--out is required");
  const base = { split, count: int(args, "count"), out, offset: int(args, "offset", 0), questionsPerChart: int(args, "questions", 3) };
  const t0 = Date.now();
  let summary: unknown;
  if (cmd === "export") summary = await exportExamples({ ...base, overlays: args.has("overlays") });
  else if (cmd === "export-sft") summary = await exportSft({ ...base, system: !args.has("no-system") });
  else if (cmd === "export-prm") summary = await exportPrm({ ...base, images: args.has("images") });
  else throw new Error(`unknown command ${cmd}\n${USAGE}`);
  console.log(JSON.stringify({ command: cmd, out, ...(summary as object), seconds: (Date.now() - t0) / 1000 }));
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
