import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { ChartRenderStatus, ImageFormat } from "@sketchvl/contract";
import { chartCodeExample, seedsOfSplit, tryGenerateChart } from "@sketchvl/chartworld";
import { decodeImage, ImageStore } from "@sketchvl/drawing";
import { WorkBudget } from "@sketchvl/runtime";
import { ChartSandbox } from "./chartSandbox";
import { renderChartCode } from "./renderChartCode";

const sandbox = new ChartSandbox({ workers: 1, timeoutMs: 8000, memoryMb: 96, maxQueue: 8, maxPixels: 4_000_000, maxSvgBytes: 1 << 24 });
const store = new ImageStore(64 << 20);
const budget = new WorkBudget(1 << 28, "--work-budget-bytes", "renderer-test");
const render = (spec: unknown) =>
  renderChartCode({ code: typeof spec === "string" ? spec : JSON.stringify(spec), outputFormat: ImageFormat.IMAGE_FORMAT_PNG }, sandbox, store, {
    maxCodeChars: 100_000,
    budget,
  });
after(() => sandbox.close());

const BARS = {
  data: {
    values: [
      { a: "x", b: 3 },
      { a: "y", b: 5 },
    ],
  },
  mark: "bar",
  encoding: { x: { field: "a", type: "nominal" }, y: { field: "b", type: "quantitative" } },
};

/** After a refused program the sandbox still renders good code. */
async function stillServes(): Promise<void> {
  const ok = await render(BARS);
  assert.equal(ok.status, ChartRenderStatus.CHART_RENDER_STATUS_OK, ok.detail);
}

describe("chart-code sandbox (RenderChartCode)", () => {
  it("renders a ChartWorld chart's code to exactly the chart's pixels", async () => {
    let seed = -1;
    for (const s of seedsOfSplit("test")) {
      if (await tryGenerateChart(s)) {
        seed = s;
        break;
      }
    }
    const example = await chartCodeExample(seed);
    const rendered = await render(example.code);
    assert.equal(rendered.status, ChartRenderStatus.CHART_RENDER_STATUS_OK, rendered.detail);
    const limits = { maxPixels: 1e8, maxBytes: 1e9 };
    const source = rendered.image?.image?.source;
    assert.equal(source?.$case, "encoded");
    const got = await decodeImage(source.value, limits);
    const want = await decodeImage(example.png, limits);
    assert.deepEqual([got.width, got.height], [want.width, want.height]);
    assert.ok(got.pixels.equals(want.pixels), "same pixels");
    assert.ok(rendered.image?.digest.startsWith("sha256:"));
  });

  it("answers bad code with its status: no code, not JSON, not a spec, blank, too large", async () => {
    assert.equal((await render("  ")).status, ChartRenderStatus.CHART_RENDER_STATUS_NO_CODE);
    const notJson = await render("{ mark: bar");
    assert.equal(notJson.status, ChartRenderStatus.CHART_RENDER_STATUS_INVALID_SPEC);
    assert.match(notJson.detail, /not JSON/);
    assert.equal((await render({ ...BARS, mark: "no-such-mark" })).status, ChartRenderStatus.CHART_RENDER_STATUS_INVALID_SPEC);
    const blank = await render({ data: { values: [] }, mark: "point", width: 40, height: 40, config: { view: { stroke: null } } });
    assert.equal(blank.status, ChartRenderStatus.CHART_RENDER_STATUS_BLANK);
    const huge = await render({ ...BARS, width: 100_000, height: 100_000 });
    assert.equal(huge.status, ChartRenderStatus.CHART_RENDER_STATUS_TOO_LARGE);
    assert.equal(huge.image, undefined);
  });

  it("refuses code that reads a URL, a file or an image link (FORBIDDEN_IO)", async () => {
    for (const data of [{ url: "https://example.com/data.json" }, { url: "/etc/passwd", format: { type: "csv" } }, { url: "file:///etc/hostname" }]) {
      const r = await render({ ...BARS, data });
      assert.equal(r.status, ChartRenderStatus.CHART_RENDER_STATUS_FORBIDDEN_IO, JSON.stringify(data));
      assert.ok(r.detail.includes(data.url), r.detail);
    }
    const image = await render({
      data: { values: [{ u: "file:///etc/hostname" }] },
      mark: { type: "image", width: 20, height: 20 },
      encoding: { url: { field: "u", type: "nominal" } },
    });
    assert.equal(image.status, ChartRenderStatus.CHART_RENDER_STATUS_FORBIDDEN_IO);
    await stillServes();
  });

  it("stops code that allocates without bound (MEMORY_LIMIT) and keeps serving", async () => {
    const r = await render({ data: { sequence: { start: 0, stop: 1e9, as: "v" } }, mark: "point", encoding: { x: { field: "v", type: "quantitative" } } });
    assert.equal(r.status, ChartRenderStatus.CHART_RENDER_STATUS_MEMORY_LIMIT, r.detail);
    await stillServes();
  });

  it("stops code that never ends (TIMEOUT) and keeps serving", async () => {
    const started = performance.now();
    // LOESS over 100,000 points with the whole series as its window: quadratic, minutes of work in little memory.
    const r = await render({
      data: { sequence: { start: 0, stop: 100_000, as: "v" } },
      transform: [
        { calculate: "datum.v % 97", as: "w" },
        { loess: "w", on: "v", bandwidth: 1 },
      ],
      mark: "line",
      encoding: { x: { field: "v", type: "quantitative" }, y: { field: "w", type: "quantitative" } },
    });
    assert.equal(r.status, ChartRenderStatus.CHART_RENDER_STATUS_TIMEOUT, r.detail);
    assert.ok(performance.now() - started < 15_000);
    await stillServes();
  });

  it("refuses code over the length limit as a bad request, and a full queue at once", async () => {
    await assert.rejects(
      renderChartCode({ code: "x".repeat(11), outputFormat: 0 }, sandbox, store, { maxCodeChars: 10, budget }),
      (err: Error) => err.name === "InvalidArgumentError",
    );
    const tiny = new ChartSandbox({ workers: 1, timeoutMs: 4000, memoryMb: 96, maxQueue: 1, maxPixels: 1e6, maxSvgBytes: 1 << 20 });
    try {
      const first = tiny.render(JSON.stringify(BARS));
      const second = tiny.render(JSON.stringify(BARS));
      await assert.rejects(tiny.render(JSON.stringify(BARS)), (err: Error) => err.name === "ResourceExhaustedError");
      assert.equal((await first).status, "ok");
      assert.equal((await second).status, "ok");
    } finally {
      await tiny.close();
    }
  });
});
