// Writing ChartWorld to disk: images + JSONL a person can open, cold-start SFT conversations, and
// PRM training samples. Used by the CLI; also callable from code.
import { DrawingAction } from "@sketchvl/contract";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Split } from "./chartTypes";
import { iterateExamples, type ChartWorldExample } from "./chartworld";
import { drawActionsOnPng } from "./drawActions";
import type { ExpertTrajectory } from "./expertTrajectory";
import { generatePrmDataset } from "./prmDataset";
import { SKETCHVL_SYSTEM_PROMPT, sketchvlUserPrompt } from "./prompt";
import { rasterizeSvg } from "./rasterize";
import { generateChart } from "./renderChart";

export interface ExportOptions {
  split: Split;
  count: number;
  out: string;
  offset?: number;
  questionsPerChart?: number;
  /** Also write each expert trajectory drawn on its chart (images/<question id>.expert.png). */
  overlays?: boolean;
}

function lineWriter(path: string): { write(obj: unknown): void; close(): Promise<void> } {
  const s: WriteStream = createWriteStream(path);
  return {
    write: (obj) => void s.write(`${JSON.stringify(obj)}\n`),
    close: () => new Promise<void>((res, rej) => s.end((e?: Error | null) => (e ? rej(e) : res()))),
  };
}

const fileSafe = (id: string): string => id.replace(/[^A-Za-z0-9._-]/g, "_");

export function trajectoryJson(t: ExpertTrajectory): unknown {
  return {
    text: t.text,
    answer: t.answer,
    steps: t.steps.map((s) => ({
      deduction: s.deduction,
      intent: s.intent,
      actionText: s.text
        .split("\n")
        .pop()
        ?.replace(/^Action\d+: /, ""),
      action: DrawingAction.toJSON(s.action),
      target: s.target,
    })),
  };
}

async function writeChartImage(ex: ChartWorldExample, dir: string): Promise<{ file: string; png: Buffer }> {
  const png = await rasterizeSvg(ex.chart.svg);
  const file = `images/${fileSafe(ex.chart.id)}.png`;
  await writeFile(join(dir, file), png);
  return { file, png };
}

/** images/*.png, charts.jsonl (spec + annotations), questions.jsonl (question, answer, expert trajectory). */
export async function exportExamples(opts: ExportOptions): Promise<{ charts: number; questions: number }> {
  const dir = resolve(opts.out);
  await mkdir(join(dir, "images"), { recursive: true });
  const charts = lineWriter(join(dir, "charts.jsonl"));
  const questions = lineWriter(join(dir, "questions.jsonl"));
  let nc = 0;
  let nq = 0;
  for await (const ex of iterateExamples(opts)) {
    const { file, png } = await writeChartImage(ex, dir);
    const c = ex.chart;
    charts.write({
      id: c.id,
      seed: c.seed,
      split: c.split,
      kind: c.kind,
      image: file,
      width: c.annotations.width,
      height: c.annotations.height,
      spec: c.spec,
      annotations: c.annotations,
    });
    nc++;
    for (let i = 0; i < ex.questions.length; i++) {
      const q = ex.questions[i];
      const t = ex.trajectories[i];
      let overlay: string | undefined;
      if (opts.overlays) {
        overlay = `images/${fileSafe(q.id)}.expert.png`;
        await writeFile(
          join(dir, overlay),
          await drawActionsOnPng(
            png,
            t.steps.map((s) => s.action),
          ),
        );
      }
      questions.write({
        id: q.id,
        chartId: c.id,
        split: c.split,
        image: file,
        ...(overlay ? { expertImage: overlay } : {}),
        template: q.template,
        question: q.question,
        answer: q.answer,
        params: q.params,
        trajectory: trajectoryJson(t),
      });
      nq++;
    }
  }
  await Promise.all([charts.close(), questions.close()]);
  return { charts: nc, questions: nq };
}

/** Cold-start SFT: sft.jsonl in the ms-swift / LLaMA-Factory "messages" + "images" format, image paths absolute. */
export async function exportSft(opts: ExportOptions & { system?: boolean }): Promise<{ conversations: number }> {
  const dir = resolve(opts.out);
  await mkdir(join(dir, "images"), { recursive: true });
  const sft = lineWriter(join(dir, "sft.jsonl"));
  let n = 0;
  for await (const ex of iterateExamples(opts)) {
    const { file } = await writeChartImage(ex, dir);
    for (let i = 0; i < ex.questions.length; i++) {
      const messages = [
        ...(opts.system === false ? [] : [{ role: "system", content: SKETCHVL_SYSTEM_PROMPT }]),
        { role: "user", content: sketchvlUserPrompt(ex.questions[i].question) },
        { role: "assistant", content: ex.trajectories[i].text },
      ];
      sft.write({ id: ex.questions[i].id, messages, images: [join(dir, file)] });
      n++;
    }
  }
  await sft.close();
  return { conversations: n };
}

/** prm.jsonl (intent, action, label, target, prior actions); with `images`, before/after PNGs per sample. */
export async function exportPrm(opts: Omit<ExportOptions, "overlays"> & { images?: boolean }): Promise<{ samples: number }> {
  const dir = resolve(opts.out);
  await mkdir(join(dir, "images"), { recursive: true });
  const samples = await generatePrmDataset(opts);
  const out = lineWriter(join(dir, "prm.jsonl"));
  const pngs = new Map<number, Buffer>();
  for (const s of samples) {
    let images: { chart: string; before: string; after: string } | undefined;
    if (opts.images) {
      let png = pngs.get(s.chartSeed);
      if (!png) {
        png = await rasterizeSvg((await generateChart(s.chartSeed, s.chartKind)).svg);
        pngs.set(s.chartSeed, png);
        await writeFile(join(dir, "images", `${fileSafe(s.chartId)}.png`), png);
      }
      const before = `images/${fileSafe(s.id)}.before.png`;
      const after = `images/${fileSafe(s.id)}.after.png`;
      const beforePng = await drawActionsOnPng(png, s.priorActions);
      await writeFile(join(dir, before), beforePng);
      await writeFile(join(dir, after), await drawActionsOnPng(beforePng, [s.action]));
      images = { chart: `images/${fileSafe(s.chartId)}.png`, before, after };
    }
    out.write({
      ...s,
      priorActions: s.priorActions.map((a) => DrawingAction.toJSON(a)),
      action: DrawingAction.toJSON(s.action),
      ...(images ? { images } : {}),
    });
  }
  await out.close();
  return { samples: samples.length };
}
