#!/usr/bin/env node
// policy-vocab build [--out FILE]: rebuild the shipped vocabulary from ChartWorld.
import { writeFileSync } from "node:fs";
import { VOCABULARY_PATH, buildVocabulary } from "./vocabulary";

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== "build") {
    console.error("usage: policy-vocab build [--out FILE]");
    process.exit(2);
  }
  const out = rest[0] === "--out" && rest[1] ? rest[1] : VOCABULARY_PATH;
  const tokenizer = await buildVocabulary();
  writeFileSync(out, `${JSON.stringify(tokenizer.toJSON(), null, 0)}\n`);
  console.log(`wrote ${out}: ${tokenizer.vocabSize} tokens`);
}

void main();
