import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { generateExample } from "@sketchvl/chartworld";
import { expertTurns } from "./expertTurns";
import { SPECIAL_TOKENS, Tokenizer, promptTokens } from "./tokenizer";
import { VOCABULARY_PATH, buildVocabulary, loadVocabulary } from "./vocabulary";

describe("policy tokenizer", () => {
  const tokenizer = loadVocabulary();

  it("round-trips expert turns and questions exactly, without <unk> or spelled-out words", async () => {
    const ex = await generateExample(7);
    assert.ok(ex);
    ex.questions.forEach((q, i) => {
      for (const text of [`Question: ${q.question}\n`, ...expertTurns(ex.trajectories[i])]) {
        const ids = tokenizer.encode(text);
        assert.equal(tokenizer.decode(ids), text);
        assert.ok(!ids.includes(SPECIAL_TOKENS.unk), text);
      }
    });
    const action = tokenizer.encode("Action1: #Draw Box, [105,307,130,490], Red\n").map((id) => tokenizer.name(id));
    assert.deepEqual(action, ["Action", "1", ":", " #", "Draw", " Box", ",", " [", "105", ",", "307", ",", "130", ",", "490", "]", ",", " Red", "\n"]);
  });

  it("spells unknown words letter by letter and maps what it cannot spell to <unk>", () => {
    const ids = tokenizer.encode(" Zyxwvut 2024 ünï\t");
    assert.equal(tokenizer.decode(ids.filter((id) => id !== SPECIAL_TOKENS.unk)), " Zyxwvut 2024 n\t".replace("\t", ""));
    assert.equal(ids.filter((id) => id === SPECIAL_TOKENS.unk).length, 3);
    assert.deepEqual(
      tokenizer.encode("2024").map((id) => tokenizer.name(id)),
      ["202", "4"],
    );
  });

  it("decodes specials as the rollout text shows them, with code-point offsets", () => {
    const turn = tokenizer.encode("Answer: 1😀");
    const { text, offsets } = tokenizer.decodeWithOffsets([
      ...tokenizer.encode("Intent1: a\n"),
      SPECIAL_TOKENS.eot,
      SPECIAL_TOKENS.image,
      ...turn,
      SPECIAL_TOKENS.eos,
    ]);
    assert.equal(text, "Intent1: a\n<image>Answer: 1\ufffd");
    assert.equal(offsets[offsets.length - 1], [...text].length);
    assert.deepEqual(promptTokens(tokenizer, " Which? ").slice(0, 1), [SPECIAL_TOKENS.bos]);
    assert.throws(() => tokenizer.piece(tokenizer.vocabSize), /outside the vocabulary/);
  });

  it("refuses a vocabulary file of another format", () => {
    assert.throws(() => Tokenizer.fromJSON('{"pieces": []}'), /sketchvl-policy-v1/);
  });

  it("ships the vocabulary a rebuild from ChartWorld gives", async () => {
    const rebuilt = await buildVocabulary();
    assert.equal(`${JSON.stringify(rebuilt.toJSON(), null, 0)}\n`, readFileSync(VOCABULARY_PATH, "utf8"));
  });
});
