// The RL loop's data: ChartWorld questions in a seeded order that a resumed run continues exactly
// (the order depends only on the seed and the position), with each chart rendered once.
import { type ChartWorldExample, type QuestionKind, Rng, generateExample, questionKind, rasterizeSvg, seedsOfSplit, type Split } from "@sketchvl/chartworld";

export interface Prompt {
  id: string;
  chartSeed: number;
  png: Buffer;
  question: string;
  references: string[];
  example: ChartWorldExample;
  questionIndex: number;
  /** Perception (read one mark) or reasoning: the curriculum's stages, and the evaluation's split of accuracy. */
  kind: QuestionKind;
}

/** Questions of `split`, chart by chart; `charts` bounds how many charts are read. */
export async function loadPrompts(split: Split, charts: number, onProgress?: (done: number) => void): Promise<Prompt[]> {
  const out: Prompt[] = [];
  let seen = 0;
  for (const seed of seedsOfSplit(split)) {
    if (seen >= charts) break;
    const example = await generateExample(seed);
    if (!example) continue;
    seen++;
    onProgress?.(seen);
    const png = await rasterizeSvg(example.chart.svg);
    example.questions.forEach((q, i) => {
      out.push({ id: q.id, chartSeed: seed, png, question: q.question, references: [q.answer], example, questionIndex: i, kind: questionKind(q.template) });
    });
  }
  return out;
}

/** Batch `step` (0-based) of `size` items: epoch e is a seeded shuffle of all items. */
export function promptBatch<T>(prompts: readonly T[], seed: number, step: number, size: number): T[] {
  const out: T[] = [];
  for (let k = step * size; k < (step + 1) * size; k++) {
    const epoch = Math.floor(k / prompts.length);
    out.push(prompts[epochOrder(prompts.length, seed, epoch)[k % prompts.length]]);
  }
  return out;
}

const orders = new Map<string, number[]>();
function epochOrder(n: number, seed: number, epoch: number): number[] {
  const key = `${n}:${seed}:${epoch}`;
  let order = orders.get(key);
  if (!order) {
    const rng = new Rng(seed, `prompts-epoch-${epoch}`);
    order = [...Array(n).keys()];
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [order[i], order[j]] = [order[j], order[i]];
    }
    orders.set(key, order);
  }
  return order;
}
