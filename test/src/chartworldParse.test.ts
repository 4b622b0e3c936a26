// ChartWorld's expert trajectories, as text, parse back to exactly their structured actions with the
// mesh's parser (@sketchvl/steps, which the renderer's ParseSteps, the reward and the policy service
// all call): what PRM data and RL rewards grade (ExpertStep.action) is what the mesh reads from the
// same text at serving time. No processes: the parser is called in-process.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StepFormat } from "@sketchvl/contract";
import { CHART_KINDS, type ChartWorldExample, generateExample, seedsOfSplit } from "@sketchvl/chartworld";
import { formatSketchVLAction, parseSteps } from "@sketchvl/steps";

/** Python-style slicing by code points (the unit of TextSpan). */
const cpSlice = (text: string, span: { start: number; end: number } | undefined): string => {
  assert.ok(span, "span is set");
  return Array.from(text).slice(span.start, span.end).join("");
};

const PER_KIND = 4; // 6 kinds × 4 = 24 test-split charts, each with up to 3 questions

async function testExamples(): Promise<ChartWorldExample[]> {
  const out: ChartWorldExample[] = [];
  for (const kind of CHART_KINDS) {
    let found = 0;
    for (const seed of seedsOfSplit("test")) {
      const ex = await generateExample(seed, { kind, questionsPerChart: 3 });
      if (ex) {
        out.push(ex);
        if (++found === PER_KIND) break;
      }
    }
  }
  return out;
}

describe("ChartWorld expert text parses to the expert's actions", () => {
  it("for every trajectory of test-split charts of every kind", async () => {
    const examples = await testExamples();
    assert.equal(examples.length, CHART_KINDS.length * PER_KIND);
    assert.deepEqual(new Set(examples.map((e) => e.chart.kind)), new Set(CHART_KINDS));
    let trajectories = 0;
    let steps = 0;
    const kinds = new Set<string>();
    for (const { chart, trajectories: ts } of examples) {
      for (const t of ts) {
        const where = `${chart.id} ${t.questionId}`;
        const parsed = parseSteps(t.text); // format detected, as ParseSteps does by default
        assert.equal(parsed.format, StepFormat.STEP_FORMAT_SKETCHVL, where);
        assert.deepEqual(parsed.errors, [], where);
        assert.equal(parsed.steps.length, t.steps.length, where);
        parsed.steps.forEach((p, i) => {
          const expert = t.steps[i];
          const at = `${where} step ${i + 1}`;
          // kind (with coordinates), color and space: the whole DrawingAction.
          assert.deepEqual(p.action, expert.action, at);
          assert.equal(p.intent, expert.intent, at);
          assert.equal(p.deduction, expert.deduction, at);
          assert.equal(p.index, i, at);
          assert.equal(cpSlice(t.text, p.actionSpan), formatSketchVLAction(expert.action), at);
          assert.equal(cpSlice(t.text, p.intentSpan), expert.intent, at);
          kinds.add(p.action?.kind?.$case ?? "none");
        });
        assert.equal(parsed.answer, t.answer, where);
        assert.equal(cpSlice(t.text, parsed.answerSpan), t.answer, where);
        assert.equal(parsed.turnCount, 1, where);
        trajectories++;
        steps += t.steps.length;
      }
    }
    // The expert vocabulary is exercised: boxes, lines, points and circles.
    assert.deepEqual([...kinds].sort(), ["circle", "line", "point", "rectangle"]);
    assert.ok(trajectories >= 40 && steps >= 120, `${trajectories} trajectories, ${steps} steps`);
  });
});
