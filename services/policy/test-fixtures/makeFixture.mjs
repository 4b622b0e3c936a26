// Rebuilds the policy service's test fixture, sketchvl-policy/1: the learner's own model and ONNX
// export (services/learner: model.py, export.py), at the smallest size (d_model 64, image 64),
// briefly fitted so that it writes SketchVL text (intents, #Draw actions, turn ends, an answer)
// instead of random tokens — the rollout tests need actions the renderer can draw. The text comes
// from ChartWorld's expert trajectories tokenized by packages/policy-model (Python never tokenizes).
// It is a fixture, not a policy: it ignores the image and mixes the trajectories it was fitted on.
//
//   npm run build && node services/policy/test-fixtures/makeFixture.mjs   (needs Debian's python3-torch)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { loadVocabulary, promptTokens, expertTurns, SPECIAL_TOKENS, VOCABULARY_PATH } = require("@sketchvl/policy-model");
const { iterateExamples } = require("@sketchvl/chartworld");

const tokenizer = loadVocabulary();
const sequences = [];
for await (const ex of iterateExamples({ split: "train", count: 12 })) {
  const turns = expertTurns(ex.trajectories[0]);
  // At most two drawing turns, then the answer: short sequences fit fast.
  const kept = [...turns.slice(0, Math.min(2, turns.length - 1)), turns[turns.length - 1]];
  const prompt = promptTokens(tokenizer, ex.questions[0].question);
  const completion = [];
  kept.forEach((text, i) => {
    completion.push(...tokenizer.encode(text));
    completion.push(...(i < kept.length - 1 ? [SPECIAL_TOKENS.eot, SPECIAL_TOKENS.image] : [SPECIAL_TOKENS.eos]));
  });
  sequences.push({ tokens: [...prompt, ...completion], completion_start: prompt.length });
}

const work = mkdtempSync(join(tmpdir(), "policy-fixture-"));
const data = join(work, "sequences.json");
writeFileSync(data, JSON.stringify({ vocab_size: tokenizer.vocabSize, sequences }));
const out = join(here, "sketchvl-policy", "1");
rmSync(out, { recursive: true, force: true });
const result = spawnSync("/usr/bin/python3", [join(here, "fit_fixture.py"), data, out, VOCABULARY_PATH], { stdio: "inherit" });
rmSync(work, { recursive: true, force: true });
process.exit(result.status ?? 1);
