// Serving-path costs on real steps: prepareBatch (features) and onnxruntime's session.run, per
// step, at several batch sizes. Steps are ChartWorld test samples drawn by @sketchvl/drawing.
import * as ort from "onnxruntime-node";
import { prepareBatch } from "./features";
import { drawnSteps } from "./stepImages";

export interface BenchRow {
  batch: number;
  prepareMsPerStep: number;
  ortMsPerStep: number;
  ortMsPerBatch: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

export async function benchmark(modelPath: string, opts: { batches: number[]; log?: (m: string) => void; threads?: number }): Promise<BenchRow[]> {
  const maxBatch = Math.max(...opts.batches);
  const { steps } = await drawnSteps("test", Math.max(64, maxBatch));
  const session = await ort.InferenceSession.create(modelPath, { graphOptimizationLevel: "all", intraOpNumThreads: opts.threads ?? 0 });
  const rows: BenchRow[] = [];
  try {
    for (const batch of opts.batches) {
      const chunk = steps.slice(0, batch);
      const reps = Math.max(20, Math.ceil(2000 / batch));
      const prep: number[] = [];
      const run: number[] = [];
      for (let r = 0; r < reps + 5; r++) {
        const t0 = process.hrtime.bigint();
        const feeds = prepareBatch(chunk);
        const t1 = process.hrtime.bigint();
        const tensors: Record<string, ort.Tensor> = {};
        for (const [k, v] of Object.entries(feeds)) tensors[k] = new ort.Tensor("float32", v.data, v.dims);
        const t2 = process.hrtime.bigint();
        await session.run(tensors);
        const t3 = process.hrtime.bigint();
        if (r >= 5) {
          prep.push(Number(t1 - t0) / 1e6);
          run.push(Number(t3 - t2) / 1e6);
        }
      }
      const row = { batch, prepareMsPerStep: median(prep) / batch, ortMsPerStep: median(run) / batch, ortMsPerBatch: median(run) };
      opts.log?.(
        `batch ${batch}: prepareBatch ${row.prepareMsPerStep.toFixed(3)} ms/step, ORT ${row.ortMsPerStep.toFixed(3)} ms/step (${row.ortMsPerBatch.toFixed(2)} ms/batch)`,
      );
      rows.push(row);
    }
  } finally {
    await session.release();
  }
  return rows;
}
