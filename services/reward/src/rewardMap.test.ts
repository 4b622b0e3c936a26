import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { type ChartWorldExample, iterateExamples, questionDifficulty, rewardMapOutcome } from "@sketchvl/chartworld";
import { CoordinateSpace, type OutcomeConfig, OutcomeReward, type Step, StepFormat } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import { parseSteps } from "@sketchvl/steps";
import { gradeOutcome } from "./outcome";
import { difficultyWeights, foundSubAnswers, validateOutcome } from "./rewardMap";

const ALPHA = 0.5;

function grade(config: OutcomeConfig, steps: Step[], answer: string, references: string[], size?: { width: number; height: number }) {
  return gradeOutcome(config, { answer, references, stepCount: steps.length, formatErrorCount: 0, goodStepFraction: 0, steps, imageSize: size });
}

describe("RewardMap graded against ChartWorld's ground truth", () => {
  const examples: ChartWorldExample[] = [];
  before(async () => {
    for await (const ex of iterateExamples({ split: "train", count: 40 })) examples.push(ex);
  });
  const find = (template: string, multi: boolean) => {
    for (const ex of examples)
      for (const [i, q] of ex.questions.entries())
        if (q.template === template && (ex.chart.annotations.table.seriesTitle !== null) === multi && ex.chart.annotations.kind !== "scatter")
          return { ex, i, q };
    throw new Error(`no ${template} question in the sample`);
  };
  const expertSteps = (ex: ChartWorldExample, i: number) => parseSteps(ex.trajectories[i].text, StepFormat.STEP_FORMAT_SKETCHVL).steps;

  it("gives the expert trajectory every sub-answer and the full weighted reward", () => {
    for (const { ex, i, q } of [find("value", true), find("difference", true), find("threshold-cross", true), find("count-above", false)]) {
      const config = rewardMapOutcome(ex, i, ALPHA);
      const { reward, components } = grade(config, expertSteps(ex, i), q.answer, [q.answer]);
      const d = questionDifficulty(ex, i);
      for (const s of config.subAnswers) assert.equal(components[`detail:${s.name}`], 1, `${q.template}: ${s.name}`);
      assert.equal(components.detail, 1);
      assert.equal(components.map_weight, d.mapWeight);
      assert.equal(components.question_weight, d.questionWeight);
      assert.equal(components.difficulty_weight, d.weight);
      assert.ok(Math.abs(reward - d.weight * (1 + 1 + ALPHA)) < 1e-12);
    }
  });

  it("takes the legend entry's credit away when the box lands on another series' entry", () => {
    const { ex, i, q } = find("value", true);
    const a = ex.chart.annotations;
    const steps = expertSteps(ex, i);
    const config = rewardMapOutcome(ex, i, ALPHA);
    const own = `legend:${q.params.template === "value" ? q.params.series : ""}`;
    const other = a.elements.find((e) => e.kind === "legend-entry" && e.id !== own);
    assert.ok(other && config.subAnswers.some((s) => s.name === own));
    const legendStep = steps.findIndex((s) => /legend entry/.test(s.intent));
    const box = other.box;
    steps[legendStep] = {
      ...steps[legendStep],
      action: {
        kind: { $case: "rectangle", value: { corner1: { x: box.x1, y: box.y1 }, corner2: { x: box.x2, y: box.y2 } } },
        color: "Red",
        space: CoordinateSpace.COORDINATE_SPACE_PIXEL,
      },
    };
    const n = config.subAnswers.length;
    const { reward, components } = grade(config, steps, q.answer, [q.answer], { width: a.width, height: a.height });
    assert.equal(components[`detail:${own}`], 0);
    assert.equal(components.detail, (n - 1) / n);
    assert.ok(Math.abs(reward - questionDifficulty(ex, i).weight * (2 + (ALPHA * (n - 1)) / n)) < 1e-12);
    // Without the image's size a pixel-space mark cannot be placed: no credit rather than a guess.
    assert.equal(grade(config, steps, q.answer, [q.answer]).components[`detail:${own}`], 0);
  });

  it("credits a value read only when the response states it (within 5%), and still pays partial credit for a wrong answer", () => {
    const { ex, i, q } = find("difference", false);
    const config = rewardMapOutcome(ex, i, ALPHA);
    const reads = config.subAnswers.filter((s) => s.name.startsWith("value:"));
    assert.equal(reads.length, 2);
    // Text only, no marks: the value reads count only by what the response says.
    const say = (deduction: string): Step[] => [{ index: 0, turn: 0, deduction, intent: "Read the values", action: undefined } as unknown as Step];
    const right = Number(reads[0].values[0]);
    const stated = foundSubAnswers(config.subAnswers, { steps: say(`The first bar reads ${right * 1.03} and the second one I skip.`), answer: "" });
    assert.deepEqual(
      config.subAnswers.map((s, k) => [s.name, stated[k]]),
      config.subAnswers.map((s) => [s.name, s.name === reads[0].name]),
    );
    const wrong = foundSubAnswers(config.subAnswers, { steps: say(`The first bar reads ${right * 1.5 + 1}.`), answer: "" });
    assert.ok(wrong.every((f) => !f));
    const wrongAnswer = grade(config, say(`I read ${reads[0].values[0]} and ${reads[1].values[0]}.`), "0", [q.answer]);
    assert.equal(wrongAnswer.components.correctness, 0);
    assert.equal(wrongAnswer.components.detail, 2 / config.subAnswers.length);
    assert.ok(wrongAnswer.reward > 0);
  });

  it("falls back to FinePRM's good-step share without sub-answers, and to difficulty_weight without W_map / W_question", () => {
    const config: OutcomeConfig = {
      kind: OutcomeReward.OUTCOME_REWARD_REWARDMAP,
      difficultyWeight: 1.5,
      detailAlpha: 1,
      mapWeight: 0,
      questionWeight: 0,
      subAnswers: [],
    };
    const out = gradeOutcome(config, { answer: "7", references: ["7"], stepCount: 2, formatErrorCount: 0, goodStepFraction: 0.5, steps: [] });
    assert.equal(out.reward, 1.5 * (1 + 1 + 0.5));
    assert.deepEqual(difficultyWeights({ ...config, difficultyWeight: 0 }), { weight: 1, map: 0, question: 0 });
  });

  it("refuses configs that could only grade wrongly, naming the field", () => {
    const base: OutcomeConfig = {
      kind: OutcomeReward.OUTCOME_REWARD_REWARDMAP,
      difficultyWeight: 0,
      detailAlpha: 0.5,
      mapWeight: 0.6,
      questionWeight: 0.7,
      subAnswers: [],
    };
    const region = { corner1: { x: 10, y: 10 }, corner2: { x: 20, y: 20 } };
    const refused = (config: OutcomeConfig, field: RegExp) =>
      assert.throws(
        () => validateOutcome(config),
        (err: unknown) => err instanceof InvalidArgumentError && field.test(err.field),
      );
    validateOutcome(base);
    validateOutcome({ ...base, difficultyWeight: 1.3 });
    refused({ ...base, difficultyWeight: 2 }, /^outcome\.difficulty_weight$/);
    refused({ ...base, mapWeight: -1 }, /^outcome\.map_weight$/);
    refused({ ...base, detailAlpha: Number.NaN }, /^outcome\.detail_alpha$/);
    refused({ ...base, kind: OutcomeReward.OUTCOME_REWARD_RELAXED_ACCURACY }, /^outcome\.kind$/);
    refused(
      {
        ...base,
        subAnswers: [
          { name: "a", region, values: [] },
          { name: "a", region: undefined, values: ["3"] },
        ],
      },
      /^outcome\.sub_answers\[1\]\.name$/,
    );
    refused({ ...base, subAnswers: [{ name: "a", region: undefined, values: [] }] }, /^outcome\.sub_answers\[0\]$/);
    refused(
      { ...base, subAnswers: [{ name: "a", region: { corner1: { x: 0, y: 0 }, corner2: { x: 1200, y: 5 } }, values: [] }] },
      /^outcome\.sub_answers\[0\]\.region$/,
    );
  });
});
