import assert from "node:assert/strict";
import { test } from "node:test";
import { CHART_KINDS, type ChartKind } from "./chartTypes";
import { generateExample, iterateExamples, type ChartWorldExample } from "./chartworld";
import { relaxedAccuracy } from "./relaxedAccuracy";
import { scoreStep } from "./scoreStep";
import { seedsOfSplit, splitOfSeed } from "./splits";

const examples: Promise<ChartWorldExample[]> = (async () => {
  const out: ChartWorldExample[] = [];
  for (const kind of CHART_KINDS as readonly ChartKind[]) {
    for (let seed = 200; seed < 203; seed++) {
      const ex = await generateExample(seed, { kind, questionsPerChart: 6 });
      if (ex) out.push(ex);
    }
  }
  return out;
})();

test("nearly every seed yields a chart with questions", async () => {
  const ex = await examples;
  assert.ok(ex.length >= 16, `only ${ex.length}/18 seeds accepted`);
  const templates = new Set(ex.flatMap((e) => e.questions.map((q) => q.template)));
  assert.deepEqual([...templates].sort(), ["compare-series", "count-above", "difference", "extreme", "threshold-cross", "value"]);
});

test("answers agree with the data table, recomputed independently", async () => {
  for (const { chart, questions } of await examples) {
    const rows = chart.annotations.table.rows;
    const v = (s: string, c: string): number => rows.find((r) => r.series === s && r.category === c)?.value ?? NaN;
    for (const q of questions) {
      const p = q.params;
      const where = `${chart.id} ${q.question}`;
      if (p.template === "extreme") {
        const pool = chart.kind === "scatter" ? rows : rows.filter((r) => r.series === p.series);
        const vals = pool.map((r) => r.value);
        const best = p.which === "highest" ? Math.max(...vals) : Math.min(...vals);
        const winners = pool.filter((r) => r.value === best);
        assert.equal(winners.length, 1, where);
        assert.equal(q.answer, chart.kind === "scatter" ? winners[0].series : winners[0].category, where);
      } else if (p.template === "value") {
        assert.ok(relaxedAccuracy(String(v(p.series, p.category)), q.answer), where);
      } else if (p.template === "threshold-cross") {
        const cats = chart.annotations.table.categories;
        const i = cats.indexOf(q.answer);
        assert.ok(i > 0, where);
        assert.ok(v(p.series, cats[i - 1]) <= p.threshold, where);
        for (const c of cats.slice(i)) assert.ok(v(p.series, c) > p.threshold, where);
      } else if (p.template === "difference") {
        const d = Math.abs(v(p.series, p.categories[0]) - v(p.series, p.categories[1]));
        assert.ok(Math.abs(d - Number(q.answer)) < 1e-6, where);
      } else if (p.template === "count-above") {
        const pool = chart.kind === "scatter" ? rows : rows.filter((r) => r.series === p.series);
        assert.equal(String(pool.filter((r) => r.value > p.threshold).length), q.answer, where);
      } else if (p.template === "compare-series") {
        const [a, b] = p.series;
        assert.equal(q.answer, v(a, p.category) > v(b, p.category) ? a : b, where);
      }
    }
  }
});

test("expert trajectories: SketchVL text, y-first 0-1000 coordinates, excellent on their own targets", async () => {
  const stepLine = /^Action(\d+): #Draw (Box|Line|Point|Circle), \[([\d,]+)\], (Red|Blue|Green)$/;
  for (const { chart, questions, trajectories } of await examples) {
    const { width: W, height: H } = chart.annotations;
    trajectories.forEach((t, qi) => {
      assert.ok(t.steps.length >= 2, `${chart.id} ${questions[qi].question}: ${t.steps.length} steps`);
      assert.ok(t.text.endsWith(`\nAnswer: ${questions[qi].answer}`));
      t.steps.forEach((s, i) => {
        assert.equal(scoreStep(chart.annotations, s.target, s.action), "excellent");
        const lines = s.text.split("\n");
        if (s.deduction) assert.equal(lines[0], `Deduction${i + 1}: ${s.deduction}`);
        assert.equal(lines[lines.length - 2], `Intent${i + 1}: ${s.intent}`);
        const m = stepLine.exec(lines[lines.length - 1]);
        assert.ok(m, lines[lines.length - 1]);
        assert.equal(Number(m[1]), i + 1);
        const nums = m[3].split(",").map(Number);
        for (const n of nums) assert.ok(Number.isInteger(n) && n >= 0 && n <= 1000);
        const sh = s.target.shape;
        // y first: [y1,x1,y2,x2] / [y,x] / [y,x,r].
        if (sh.type === "box")
          assert.deepEqual(
            nums,
            [sh.box.y1 / H, sh.box.x1 / W, sh.box.y2 / H, sh.box.x2 / W].map((x) => Math.round(x * 1000)),
          );
        if (sh.type === "point")
          assert.deepEqual(
            nums,
            [sh.at.y / H, sh.at.x / W].map((x) => Math.round(x * 1000)),
          );
        if (sh.type === "line")
          assert.deepEqual(
            nums,
            [sh.p1.y / H, sh.p1.x / W, sh.p2.y / H, sh.p2.x / W].map((x) => Math.round(x * 1000)),
          );
        if (sh.type === "circle")
          assert.deepEqual(nums, [Math.round((sh.center.y / H) * 1000), Math.round((sh.center.x / W) * 1000), Math.round((sh.r / Math.min(W, H)) * 1000)]);
      });
    });
  }
});

test("x-axis labels are pointed at on their top edge, y-axis labels on their right edge", async () => {
  for (const { chart, trajectories } of await examples)
    for (const t of trajectories)
      for (const s of t.steps) {
        const e = chart.annotations.elements.find((x) => x.id === s.target.elementId);
        if (s.target.shape.type !== "point" || !e) continue;
        const at = s.target.shape.at;
        const close = (p: { x: number; y: number }): boolean => Math.abs(p.x - at.x) < 0.01 && Math.abs(p.y - at.y) < 0.01;
        if (e.kind === "x-tick-label") assert.ok(close({ x: (e.box.x1 + e.box.x2) / 2, y: e.box.y1 }), e.id);
        if (e.kind === "y-tick-label") assert.ok(close({ x: e.box.x2, y: (e.box.y1 + e.box.y2) / 2 }), e.id);
      }
});

test("splits never overlap and iterate deterministically", async () => {
  const firsts = (["train", "validation", "test"] as const).map((s) => {
    const seeds: number[] = [];
    for (const seed of seedsOfSplit(s)) {
      if (seeds.length >= 300) break;
      assert.equal(splitOfSeed(seed), s);
      seeds.push(seed);
    }
    return new Set(seeds);
  });
  for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) for (const s of firsts[i]) assert.ok(!firsts[j].has(s));
  const counts = { train: 0, validation: 0, test: 0 };
  for (let s = 0; s < 10000; s++) counts[splitOfSeed(s)]++;
  assert.ok(counts.train > 7700 && counts.train < 8300 && counts.test > 850 && counts.validation > 850, JSON.stringify(counts));
  const ids: string[] = [];
  for await (const ex of iterateExamples({ split: "test", count: 3, offset: 2 })) {
    assert.equal(ex.chart.split, "test");
    ids.push(ex.chart.id);
  }
  assert.equal(ids.length, 3);
  const again: string[] = [];
  for await (const ex of iterateExamples({ split: "test", count: 3, offset: 2 })) again.push(ex.chart.id);
  assert.deepEqual(again, ids);
});
