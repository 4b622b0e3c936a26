import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { type ChartWorldExample, iterateExamples } from "./chartworld";
import { chartDensity, DENSITY_RANGE, HOPS_RANGE, questionDifficulty, questionKind, subAnswers } from "./difficulty";

describe("RewardMap difficulty and sub-answers from ChartWorld's ground truth", () => {
  const examples: ChartWorldExample[] = [];
  before(async () => {
    for await (const ex of iterateExamples({ split: "train", count: 40 })) examples.push(ex);
  });
  const questions = () => examples.flatMap((ex) => ex.questions.map((q, i) => ({ ex, q, i })));

  it("weighs W_map by chart density and W_question by hops, each in [0.5, 1], summing to W", () => {
    for (const { ex, i } of questions()) {
      const d = questionDifficulty(ex, i);
      assert.equal(d.density, chartDensity(ex.chart.annotations));
      const expectedMap = 0.5 + 0.5 * Math.min(1, Math.max(0, (d.density - DENSITY_RANGE.sparse) / (DENSITY_RANGE.dense - DENSITY_RANGE.sparse)));
      const expectedQuestion = 0.5 + 0.5 * Math.min(1, Math.max(0, (d.hops - HOPS_RANGE.fewest) / (HOPS_RANGE.most - HOPS_RANGE.fewest)));
      assert.equal(d.mapWeight, expectedMap);
      assert.equal(d.questionWeight, expectedQuestion);
      assert.equal(d.weight, d.mapWeight + d.questionWeight);
      assert.ok(d.weight >= 1 && d.weight <= 2);
    }
    // Denser charts never weigh less: the densest chart's W_map beats the sparsest one's.
    const byDensity = examples.slice().sort((a, b) => chartDensity(a.chart.annotations) - chartDensity(b.chart.annotations));
    assert.ok(questionDifficulty(byDensity[0], 0).mapWeight < questionDifficulty(byDensity[byDensity.length - 1], 0).mapWeight);
  });

  it("counts hops as the facts to find, plus one when the answer is computed from them", () => {
    for (const { ex, q, i } of questions()) {
      const facts = subAnswers(ex, i);
      const d = questionDifficulty(ex, i);
      const computed = questionKind(q.template) === "reasoning";
      assert.equal(d.hops, facts.length + (computed ? 1 : 0), q.template);
      // A multi-series difference: the legend entry, two bars / points and the two values read, then the subtraction.
      if (q.params.template === "difference" && ex.chart.annotations.table.seriesTitle !== null) assert.equal(d.hops, 6);
      if (q.params.template === "value" && ex.chart.annotations.table.seriesTitle === null) assert.equal(d.hops, 2);
    }
    const kinds = new Set(questions().map(({ q }) => questionKind(q.template)));
    assert.deepEqual([...kinds].sort(), ["perception", "reasoning"]);
  });

  it("puts every region around the element the question is about, and states values exactly as the table has them", () => {
    for (const { ex, q, i } of questions()) {
      const a = ex.chart.annotations;
      for (const s of subAnswers(ex, i)) {
        assert.ok(s.region || s.values.length > 0, s.name);
        if (s.region && !s.name.startsWith("value:")) {
          const e = a.elements.find((el) => el.id === s.name);
          assert.ok(e, `${s.name} names an element of ${a.chartId}`);
          const x = (1000 * e.anchor.x) / a.width;
          const y = (1000 * e.anchor.y) / a.height;
          assert.ok(x >= s.region.x1 && x <= s.region.x2 && y >= s.region.y1 && y <= s.region.y2, `${s.name}'s anchor inside its region`);
        } else {
          assert.ok(s.name.startsWith("value:"), s.name);
          const [, series, category] = s.name.split(":");
          const row = a.table.rows.find((r) => r.series === series && r.category === category);
          assert.ok(row && Math.abs(Number(s.values[0]) - row.value) <= 0.05 * Math.abs(row.value), `${q.id} ${s.name}`);
        }
      }
      if (q.params.template === "compare-series") {
        assert.deepEqual(
          subAnswers(ex, i)
            .filter((s) => s.name.startsWith("legend:"))
            .map((s) => s.name),
          q.params.series.map((name) => `legend:${name}`),
        );
      }
    }
  });
});
