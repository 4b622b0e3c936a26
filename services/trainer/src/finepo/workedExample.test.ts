import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { close } from "./testHelpers";
import { renderWorkedExample, runWorkedExample } from "./workedExample";

const START = "<!-- worked-example:start (generated: node services/trainer/dist/finepo/workedExample.js) -->";
const END = "<!-- worked-example:end -->";

test("the README's worked example is what the code computes", () => {
  const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  assert.ok(from >= 0 && to > from, "README markers missing");
  assert.equal(readme.slice(from + START.length, to).trim(), renderWorkedExample().trim());
});

test("the worked example's numbers, recomputed by hand from the formulas", () => {
  const { result, current } = runWorkedExample();
  const eps = 1e-6;
  // P over batches 0–1: 20 actions, 11 rectangles.
  close(current.get(3)!, 11 / 20, 1e-15);
  const oRect = -0.25 * Math.log((0.55 + eps) / (0.22 + eps));
  const oCircle = Math.min(0.25, -0.25 * Math.log((0.05 + eps) / (0.22 + eps))); // clipped at γ
  assert.equal(oCircle, 0.25);

  const [y1, y2, y3] = result.members;
  close(y1.coarseAdvantage, 2 / 3, 1e-15);
  close(y1.steps[0].klOffset, oRect, 1e-15);
  // y2: A = −1/3, p' = [3 + oRect, 1.25], L = [18, 15]; Text excluded.
  const A = y2.coarseAdvantage;
  close(A, -1 / 3, 1e-15);
  const pR = 3 + oRect;
  const pbar = (18 * pR + 15 * 1.25) / 33;
  const kappa = Math.abs(A) / (pR - pbar + eps);
  close(y2.meanAdjustedScore, pbar, 1e-12);
  close(y2.kappa, kappa, 1e-12);
  close(y2.steps[0].advantage, A + 0.5 * kappa * (pR - pbar), 1e-12);
  close(y2.steps[1].advantage, A + 0.5 * kappa * (1.25 - pbar), 1e-12);
  assert.equal(y2.steps[2].advantage, A);
  // y1's circle falls far below the mean: A' < 0, clipped to 0 (a success never gets a negative step).
  assert.ok(y1.steps[3].unclippedAdvantage < 0);
  assert.equal(y1.steps[3].advantage, 0);
  // y1's best step (the point) gets ≈ 1.5·A = A + α|A|.
  close(y1.steps[4].advantage, 1, 1e-5);
  // y3 has only a Text step: GRPO.
  assert.equal(y3.kappa, 0);
  assert.equal(y3.steps[0].advantage, A);
});
