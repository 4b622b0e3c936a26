import assert from "node:assert/strict";
import { test } from "node:test";
import { generateChart } from "./renderChart";
import { generatePrmDataset, PAPER_LABEL_RATIO, prmQuotas } from "./prmDataset";
import { PRM_LABEL_NAMES, prmLabelLevel } from "@sketchvl/contract";
import { formatSketchVLAction } from "@sketchvl/steps";
import { scoreStep } from "./scoreStep";
import { SCORED_ACTION_TYPES } from "./actionShapes";

test("quotas follow 2:4:3:1 per action type and sum to the count", () => {
  for (const n of [40, 1000, 1003]) {
    const q = prmQuotas(n);
    assert.equal(
      [...q.values()].reduce((a, b) => a + b, 0),
      n,
    );
  }
  const q = prmQuotas(1000);
  for (const t of SCORED_ACTION_TYPES) for (const l of PRM_LABEL_NAMES) assert.equal(q.get(`${t}/${l}`), (1000 / 4) * (PAPER_LABEL_RATIO[l] / 10));
});

test("a small PRM set: exact balance, labels reproducible from the reference scorer", async () => {
  const samples = await generatePrmDataset({ split: "validation", count: 160, variantsPerStep: 20 });
  assert.equal(samples.length, 160);
  const cells = new Map<string, number>();
  for (const s of samples) cells.set(`${s.actionType}/${s.label}`, (cells.get(`${s.actionType}/${s.label}`) ?? 0) + 1);
  for (const t of SCORED_ACTION_TYPES)
    for (const l of PRM_LABEL_NAMES) assert.equal(cells.get(`${t}/${l}`), (160 / 4) * (PAPER_LABEL_RATIO[l] / 10), `${t}/${l}`);
  assert.equal(new Set(samples.map((s) => s.id)).size, 160);
  const bySeed = new Map<number, Awaited<ReturnType<typeof generateChart>>>();
  for (const s of samples.slice(0, 40)) {
    const chart = bySeed.get(s.chartSeed) ?? (await generateChart(s.chartSeed, s.chartKind));
    bySeed.set(s.chartSeed, chart);
    assert.equal(chart.id, s.chartId);
    assert.equal(scoreStep(chart.annotations, s.target, s.action), s.label);
    assert.equal(s.score, prmLabelLevel(s.label).score);
    assert.equal(s.actionText, formatSketchVLAction(s.action));
    assert.ok(s.priorActions.length === s.stepIndex);
    assert.ok(s.intent.length > 0 && s.question.length > 0);
  }
  const noises = new Set(samples.map((s) => s.noise));
  for (const n of ["expert", "wrong-type", "wrong-element", "shift"]) assert.ok(noises.has(n as never), n);
});
