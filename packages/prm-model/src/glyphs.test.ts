import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { textWidth } from "@sketchvl/chartworld";
import { atlasJson, GLYPH_FILE, renderGlyphAtlas, setWord } from "./glyphs";

test("glyphs/dejavu.json is what librsvg renders from the installed fonts (`finepr glyphs` gives no diff)", async () => {
  assert.equal(atlasJson(await renderGlyphAtlas(textWidth)), readFileSync(GLYPH_FILE, "utf8"));
});

test("setWord: glyphs at their advances; ink in [0, 1]; one column span per visible character", () => {
  const word = setWord("Jan 2023", 0, 2)!;
  assert.equal(word.chars.length, 7, "the space has no ink");
  assert.ok(word.ink.every((v) => v >= 0 && v <= 1));
  assert.ok(
    word.ink.some((v) => v > 0.9),
    "strokes reach full ink",
  );
  // 11 px DejaVu Sans: ChartWorld's textWidth says 45.6 px from the first pen position to the last advance.
  assert.ok(Math.abs(word.w - textWidth("Jan 2023", 11)) <= 2, `width ${word.w}`);
  for (let i = 1; i < word.chars.length; i++) assert.ok(word.chars[i][0] >= word.chars[i - 1][0], "spans go left to right");
  assert.equal(setWord("   ", 0, 0), null);
  assert.ok(setWord("é–x", 1, 4)!.chars.length === 1, "characters outside printable ASCII are blanks");
});
