// Chart-to-code (Visual-ERM) through the mesh: a ChartWorld chart's reference image and spec, a
// group of responses (the true code, corrupted code with known errors, no code, hostile code),
// scored by the reward service over gRPC with the renderer's sandbox and the PRM's reference judge,
// each its own process. The rewards are exact: the injected errors are known.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { chartCodeExample, corruptChartCode, seedsOfSplit, tryGenerateChart } from "@sketchvl/chartworld";
import { ChartErrorCategory, ChartRenderStatus, type ResponseReward, RewardTask, type ScoreGroupRequest } from "@sketchvl/contract";
import { type RewardMesh, startRewardMesh } from "./support/rewardMesh";

const LOOPING = {
  data: { sequence: { start: 0, stop: 100_000, as: "v" } },
  transform: [
    { calculate: "datum.v % 97", as: "w" },
    { loess: "w", on: "v", bandwidth: 1 },
  ],
  mark: "line",
  encoding: { x: { field: "v", type: "quantitative" }, y: { field: "w", type: "quantitative" } },
};
const ALLOCATING = { data: { sequence: { start: 0, stop: 1e9, as: "v" } }, mark: "point", encoding: { x: { field: "v", type: "quantitative" } } };
const READING = { data: { url: "/etc/passwd", format: { type: "csv" } }, mark: "point" };

describe("chart-to-code through the reward service", () => {
  let mesh: RewardMesh;
  let example: Awaited<ReturnType<typeof chartCodeExample>>;

  before(async () => {
    // A time limit far above the 1–2 s the heap limit takes to hit, so on a loaded machine the
    // allocating spec still ends by MEMORY_LIMIT, not TIMEOUT (the looping one runs for minutes).
    mesh = await startRewardMesh([], { renderer: ["--chart-sandbox-timeout-ms", "10000", "--chart-sandbox-memory-mb", "96", "--chart-sandbox-workers", "2"] });
    for (const seed of seedsOfSplit("test")) {
      if (!(await tryGenerateChart(seed))) continue;
      example = await chartCodeExample(seed);
      break;
    }
  });
  after(() => mesh?.stop());

  const group = (texts: string[], overrides: Partial<ScoreGroupRequest> = {}): ScoreGroupRequest => ({
    ...mesh.request(),
    image: { source: { $case: "encoded", value: example.png } },
    question: "",
    references: [],
    task: RewardTask.REWARD_TASK_CHART_TO_CODE,
    chartCode: { referenceCode: example.code, judge: "reference" },
    responses: texts.map((text, i) => ({ id: `r${i}`, text, tokenOffsets: [], imageTokenSpans: [] })),
    ...overrides,
  });
  const fenced = (code: string) => `Here is the chart:\n\`\`\`json\n${code}\n\`\`\``;

  it("scores the true code 2, corrupted code 1 + clip(1 − S/50) with exactly its injected errors, no code 0", async () => {
    const corrupted = [1, 2, 3].map((s) => corruptChartCode(example.code, `e2e:${s}`, s));
    const answer = (await mesh.client.scoreGroup(group([fenced(example.code), ...corrupted.map((c) => fenced(c.code)), "I cannot write this chart."]))).group!;
    const [truth, ...rest] = answer.responses;
    const none = rest.pop() as ResponseReward;
    assert.equal(truth.chartCode?.renderStatus, ChartRenderStatus.CHART_RENDER_STATUS_OK, truth.chartCode?.renderDetail);
    assert.deepEqual([truth.outcomeReward, truth.chartCode?.severitySum, truth.chartCode?.errors.length], [2, 0, 0]);
    rest.forEach((r, i) => {
      const injected = corrupted[i].errors;
      const S = injected.reduce((s, e) => s + e.severity, 0);
      assert.equal(r.chartCode?.renderStatus, ChartRenderStatus.CHART_RENDER_STATUS_OK, r.chartCode?.renderDetail);
      assert.equal(r.chartCode?.judge, "reference");
      assert.equal(r.chartCode?.severitySum, S);
      assert.ok(Math.abs(r.outcomeReward - (1 + Math.min(1, Math.max(0, 1 - S / 50)))) < 1e-12);
      assert.equal(r.rewardComponents.visual_erm, r.outcomeReward);
      const got = r.chartCode?.errors.map((e) => `${e.location}|${ChartErrorCategory[e.category]}|${e.severity}`).sort();
      const want = injected.map((e) => `${e.location}|CHART_ERROR_CATEGORY_${e.category.toUpperCase()}|${e.severity}`).sort();
      assert.deepEqual(got, want);
    });
    assert.equal(none.chartCode?.renderStatus, ChartRenderStatus.CHART_RENDER_STATUS_NO_CODE);
    assert.equal(none.outcomeReward, 0);
    assert.ok(answer.responses.every((r) => !r.maskSample));
    // The group-mean baseline over the five samples.
    const mean = answer.responses.reduce((s, r) => s + r.outcomeReward, 0) / answer.responses.length;
    for (const r of answer.responses) assert.ok(Math.abs(r.coarseAdvantage - (r.outcomeReward - mean)) < 1e-12);
  });

  it("scores code that loops, allocates without bound or reads a file 0 with its failure kind, and keeps serving", async () => {
    const hostile = [LOOPING, ALLOCATING, READING].map((spec) => fenced(JSON.stringify(spec)));
    const answer = (await mesh.client.scoreGroup(group([...hostile, fenced(example.code)]))).group!;
    assert.deepEqual(
      answer.responses.map((r) => [ChartRenderStatus[r.chartCode?.renderStatus ?? 0], r.outcomeReward, r.maskSample]),
      [
        ["CHART_RENDER_STATUS_TIMEOUT", 0, false],
        ["CHART_RENDER_STATUS_MEMORY_LIMIT", 0, false],
        ["CHART_RENDER_STATUS_FORBIDDEN_IO", 0, false],
        ["CHART_RENDER_STATUS_OK", 2, false],
      ],
    );
    // Afterwards, a new group is still scored.
    const again = (await mesh.client.scoreGroup(group([fenced(example.code)]))).group!;
    assert.equal(again.responses[0].outcomeReward, 2);
  });

  it("streams a chart-to-code group too, and a judge that cannot run masks the sample instead of scoring it 0", async () => {
    const streamed = await mesh.client.streamGroup(
      (async function* () {
        yield { item: { $case: "group" as const, value: group([]) } };
        yield { item: { $case: "response" as const, value: { id: "s", text: fenced(example.code), tokenOffsets: [0, 5, 9], imageTokenSpans: [] } } };
      })(),
    );
    const r = streamed.group!.responses[0];
    assert.equal(r.outcomeReward, 2);
    assert.deepEqual(r.lossMask, [true, true, true]);
    // remote-judge is not configured on this PRM: FAILED_PRECONDITION, the mesh's failure.
    const unjudged = (await mesh.client.scoreGroup(group([fenced(example.code)], { chartCode: { referenceCode: example.code, judge: "remote-judge" } })))
      .group!;
    assert.equal(unjudged.responses[0].maskSample, true);
    assert.match(unjudged.responses[0].failureReason, /remote-judge|not configured/);
  });
});
