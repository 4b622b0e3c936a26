import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { type ChartCodeExample, type ChartCodeError, chartCodeExample, compareChartSpecs, dataSeverity } from "./chartCode";
import { CORRUPTION_KINDS, corruptChartCode } from "./chartCodeCorruption";
import { CHART_KINDS } from "./chartTypes";
import { tryGenerateChart } from "./renderChart";
import { seedsOfSplit } from "./splits";

const key = (e: ChartCodeError) => `${e.location}|${e.category}|${e.severity}`;
const keys = (errors: ChartCodeError[]) => errors.map(key).sort();

describe("chart-to-code ground truth", () => {
  // One example of every chart kind, so every corruption meets every mark and encoding shape.
  const examples: ChartCodeExample[] = [];
  before(async () => {
    for (const kind of CHART_KINDS) {
      for (const seed of seedsOfSplit("test")) {
        if (!(await tryGenerateChart(seed, kind))) continue;
        examples.push(await chartCodeExample(seed, kind));
        break;
      }
    }
    assert.equal(examples.length, CHART_KINDS.length);
  });

  it("an example's code is its chart's spec, with inline data and no URL", () => {
    for (const example of examples) {
      const spec = JSON.parse(example.code);
      assert.ok(Array.isArray(spec.data.values) && spec.data.values.length > 0, example.id);
      assert.doesNotMatch(JSON.stringify(spec.data), /"url"/);
      assert.deepEqual([...example.png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(""), "PNG");
    }
  });

  it("the reference judge finds no error in the reference code", () => {
    for (const example of examples) assert.deepEqual(compareChartSpecs(JSON.parse(example.code), JSON.parse(example.code)), [], example.id);
  });

  it("the reference judge reproduces every injected error exactly (location, category, severity), and nothing else", () => {
    let injected = 0;
    const kindsSeen = new Set<string>();
    for (const example of examples) {
      for (let s = 0; s < 40; s++) {
        const corrupted = corruptChartCode(example.code, `${example.seed}:${s}`);
        for (const k of corrupted.kinds) kindsSeen.add(k);
        const found = compareChartSpecs(JSON.parse(example.code), JSON.parse(corrupted.code));
        assert.deepEqual(keys(found), keys(corrupted.errors), `${example.id} corruption ${s} (${corrupted.kinds.join(", ")})`);
        assert.ok(found.every((e) => e.description.length > 0));
        injected += corrupted.errors.length;
      }
    }
    assert.deepEqual([...kindsSeen].sort(), [...CORRUPTION_KINDS].sort());
    assert.ok(injected >= examples.length * 40);
  });

  it("is deterministic in (code, seed) and injects as many corruptions as asked", () => {
    const code = examples[0].code;
    assert.deepEqual(corruptChartCode(code, 7), corruptChartCode(code, 7));
    for (const count of [1, 2, 3]) assert.equal(corruptChartCode(code, 9, count).kinds.length, count);
  });

  it("reads a title given as { text } as the same title, and a missing row as one severity-3 data error", () => {
    const spec = JSON.parse(examples[0].code);
    assert.deepEqual(compareChartSpecs({ ...spec, title: "Sales" }, { ...spec, title: { text: "Sales" } }), []);
    const fewer = { ...spec, data: { values: spec.data.values.slice(1) } };
    assert.deepEqual(
      compareChartSpecs(spec, fewer).map((e) => [e.location, e.category, e.severity]),
      [["data.values", "data", 3]],
    );
    assert.deepEqual(
      compareChartSpecs(spec, { ...spec, mark: "arc" })
        .map((e) => e.location)
        .slice(0, 1),
      ["mark.type"],
    );
  });

  it("grades a number within 10 % as a minor data error, anything else as a clear one", () => {
    assert.equal(dataSeverity(100, 108), 1);
    assert.equal(dataSeverity(100, 150), 2);
    assert.equal(dataSeverity(0, 1), 2);
    assert.equal(dataSeverity("Spain", "France"), 2);
  });
});
