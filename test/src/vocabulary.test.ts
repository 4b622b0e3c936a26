// One vocabulary, one place: FinePRM's label scale is defined once, in
// packages/contract/src/prmLabels.ts. This test reads every hand-written TypeScript source file and
// fails if the scale is written out again anywhere else — the four names or judge words in a row,
// the four enum members in a row, the 4/3/2/1 score vector, or the expected-score formula by hand.
// A test file may spell the scale out as an expectation; production code reads the shared table.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { repoRoot } from "@sketchvl/launcher";

const THE_DEFINITION = "packages/contract/src/prmLabels.ts";

const COPIES: ReadonlyArray<[string, RegExp]> = [
  ["the label names in scale order", /excellent\W+acceptable\W+poor\W+(or\W+)?unacceptable/i],
  ["the PrmLabel members in scale order", /PRM_LABEL_EXCELLENT\W+(PrmLabel\W+)?PRM_LABEL_ACCEPTABLE\W+(PrmLabel\W+)?PRM_LABEL_POOR/],
  ["the label scores", /\[\s*4\s*,\s*3\s*,\s*2\s*,\s*1\s*\]|excellent\s*:\s*4\b/i],
  ["the expected score by hand", /4\s*\*\s*[\w.]+\[0\]\s*\+\s*3\s*\*|\(\s*4\s*-\s*\w+\s*\)/],
];

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name === "gen") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts")) yield path;
  }
}

/** Source without comments, so prose that names the labels is not a copy. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

test("the label scale is written out only in the contract's prmLabels.ts", () => {
  const roots = ["packages", "services", "test", "bench", "examples"].map((d) => join(repoRoot, d));
  const found: string[] = [];
  let scanned = 0;
  for (const root of roots) {
    for (const file of sources(root)) {
      const path = relative(repoRoot, file);
      if (path === THE_DEFINITION) continue;
      scanned++;
      const text = code(readFileSync(file, "utf8"));
      for (const [what, pattern] of COPIES) if (pattern.test(text)) found.push(`${path}: ${what}`);
    }
  }
  assert.ok(scanned > 100, `scanned only ${scanned} files: is repoRoot right?`);
  assert.deepEqual(found, [], "use PRM_LABEL_SCALE / PRM_LABEL_NAMES / expectedPrmScore from @sketchvl/contract");
});

test("the patterns do find a copy (the definition itself has every one)", () => {
  const text = code(readFileSync(join(repoRoot, THE_DEFINITION), "utf8"));
  assert.ok(COPIES[0][1].test('["excellent", "acceptable", "poor", "unacceptable"]'));
  assert.ok(COPIES[0][1].test("word: Excellent, Acceptable, Poor or Unacceptable."));
  assert.ok(COPIES[1][1].test("[PrmLabel.PRM_LABEL_EXCELLENT, PrmLabel.PRM_LABEL_ACCEPTABLE, PrmLabel.PRM_LABEL_POOR"));
  assert.ok(COPIES[2][1].test("const VALUES = [4, 3, 2, 1];"));
  assert.ok(COPIES[2][1].test("{ excellent: 4, acceptable: 3 }"));
  assert.ok(COPIES[3][1].test("4 * p[0] + 3 * p[1] + 2 * p[2] + p[3]"));
  assert.ok(COPIES[3][1].test("probs[s * K + k] * (4 - k)"));
  assert.ok(/PRM_LABEL_EXCELLENT/.test(text), "the definition is where the patterns point");
});
