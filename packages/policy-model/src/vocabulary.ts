// The shipped vocabulary (vocab.json beside this package): ChartWorld's train-split questions and
// expert turns, rebuilt by `policy-vocab build` (a test checks the file is what a rebuild gives).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { iterateExamples } from "@sketchvl/chartworld";
import { expertTurns } from "./expertTurns";
import { Tokenizer } from "./tokenizer";

export const VOCABULARY_PATH = join(__dirname, "..", "vocab.json");
/** Charts whose questions and trajectories make the vocabulary. */
export const VOCABULARY_CHARTS = 200;

export function loadVocabulary(path = VOCABULARY_PATH): Tokenizer {
  return Tokenizer.fromJSON(readFileSync(path, "utf8"));
}

export async function buildVocabulary(charts = VOCABULARY_CHARTS): Promise<Tokenizer> {
  const corpus: string[] = [];
  for await (const ex of iterateExamples({ split: "train", count: charts })) {
    ex.questions.forEach((q, i) => {
      corpus.push(`Question: ${q.question}\n`, ...expertTurns(ex.trajectories[i]));
    });
  }
  return Tokenizer.build(corpus);
}
