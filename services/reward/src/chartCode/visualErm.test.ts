import assert from "node:assert/strict";
import { test } from "node:test";
import { ChartRenderStatus } from "@sketchvl/contract";
import { extractChartCode, severitySum, visualErmReward } from "./visualErm";

const OK = ChartRenderStatus.CHART_RENDER_STATUS_OK;

test("reward = 1 + clip(1 − S/50, 0, 1) for a rendered chart", () => {
  assert.equal(visualErmReward(OK, 0), 2);
  assert.equal(visualErmReward(OK, 5), 1.9);
  assert.equal(visualErmReward(OK, 50), 1);
  assert.equal(visualErmReward(OK, 80), 1);
});

test("no code, a failed render or a blank image → 0, whatever the errors", () => {
  for (const status of [
    ChartRenderStatus.CHART_RENDER_STATUS_NO_CODE,
    ChartRenderStatus.CHART_RENDER_STATUS_INVALID_SPEC,
    ChartRenderStatus.CHART_RENDER_STATUS_TIMEOUT,
    ChartRenderStatus.CHART_RENDER_STATUS_MEMORY_LIMIT,
    ChartRenderStatus.CHART_RENDER_STATUS_FORBIDDEN_IO,
    ChartRenderStatus.CHART_RENDER_STATUS_TOO_LARGE,
    ChartRenderStatus.CHART_RENDER_STATUS_BLANK,
  ]) {
    assert.equal(visualErmReward(status, 0), 0, ChartRenderStatus[status]);
  }
});

test("S sums severities; unparseable judge output is S = 25 (reward 1.5)", () => {
  assert.equal(severitySum([{ severity: 3 }, { severity: 1 }, { severity: 2 }], true), 6);
  assert.equal(severitySum([{ severity: 3 }], false), 25);
  assert.equal(visualErmReward(OK, severitySum([], false)), 1.5);
});

test("finds the code in a fence, else between braces, else none", () => {
  assert.equal(extractChartCode('Here it is:\n```json\n{"mark": "bar"}\n```\nDone.'), '{"mark": "bar"}');
  assert.equal(extractChartCode('```python\nprint(1)\n```\n```vega-lite\n{"mark": "line"}\n```'), '{"mark": "line"}');
  assert.equal(extractChartCode('The spec: {"mark": {"type": "bar"}} — that is all'), '{"mark": {"type": "bar"}}');
  assert.equal(extractChartCode("I cannot draw this chart."), "");
});
