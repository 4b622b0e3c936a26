import assert from "node:assert/strict";
import { test } from "node:test";
import { CHART_KINDS, type ChartAnnotations, type ChartElement } from "./chartTypes";
import type { Box } from "./geometry";
import { rasterizeSvgRaw } from "./rasterize";
import { generateChart, type GeneratedChart } from "./renderChart";
import { ChartRejected, validateAnnotations } from "./scenegraphAnnotations";

type Raw = { data: Buffer; width: number; height: number };
const hex = (c: string): number[] => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
const px = (r: Raw, x: number, y: number): number[] => {
  const o = (Math.round(y) * r.width + Math.round(x)) * 3;
  return [r.data[o], r.data[o + 1], r.data[o + 2]];
};
const near = (a: number[], b: number[], tol = 12): boolean => a.every((v, i) => Math.abs(v - b[i]) <= tol);

/** Bounding box of pixels far from the background colour inside `win`. */
function inkBox(r: Raw, win: Box, bg: number[]): Box | null {
  let out: Box | null = null;
  for (let y = Math.max(0, Math.ceil(win.y1)); y < Math.min(r.height, Math.floor(win.y2)); y++)
    for (let x = Math.max(0, Math.ceil(win.x1)); x < Math.min(r.width, Math.floor(win.x2)); x++) {
      const p = px(r, x, y);
      if (Math.abs(p[0] - bg[0]) + Math.abs(p[1] - bg[1]) + Math.abs(p[2] - bg[2]) < 150) continue;
      out = out
        ? { x1: Math.min(out.x1, x), y1: Math.min(out.y1, y), x2: Math.max(out.x2, x + 1), y2: Math.max(out.y2, y + 1) }
        : { x1: x, y1: y, x2: x + 1, y2: y + 1 };
    }
  return out;
}

const charts: Promise<{ chart: GeneratedChart; raw: Raw }[]> = Promise.all(
  CHART_KINDS.flatMap((kind, i) => [11 + i, 57 + i].map((seed) => ({ seed, kind }))).map(async ({ seed, kind }) => {
    const chart = await generateChart(seed, kind);
    return { chart, raw: await rasterizeSvgRaw(chart.svg) };
  }),
);

const of = (a: ChartAnnotations, kind: ChartElement["kind"]): ChartElement[] => a.elements.filter((e) => e.kind === kind);

test("PNG size matches the annotations", async () => {
  for (const { chart, raw } of await charts) {
    assert.equal(raw.width, chart.annotations.width, chart.id);
    assert.equal(raw.height, chart.annotations.height, chart.id);
  }
});

test("bar boxes match the bars' pixels to within a pixel", async () => {
  for (const { chart, raw } of await charts) {
    for (const b of of(chart.annotations, "bar")) {
      const fill = hex(b.color ?? "#000000");
      const { x1, y1, x2, y2 } = b.box;
      const cy = (y1 + y2) / 2;
      const cx = (x1 + x2) / 2;
      assert.ok(near(px(raw, cx, cy), fill), `${chart.id} ${b.id} centre`);
      assert.ok(near(px(raw, x1 + 1.5, cy), fill) && near(px(raw, x2 - 1.5, cy), fill), `${chart.id} ${b.id} inside its sides`);
      assert.ok(!near(px(raw, x1 - 1.5, cy), fill) && !near(px(raw, x2 + 1, cy), fill), `${chart.id} ${b.id} outside its sides`);
      const end = chart.kind === "hbar" ? [x2 + 1, cy] : [cx, y1 - 1.5];
      assert.ok(!near(px(raw, end[0], end[1]), fill), `${chart.id} ${b.id} past its end`);
      const inner = chart.kind === "hbar" ? [x2 - 2, cy] : [cx, y1 + 2];
      assert.ok(near(px(raw, inner[0], inner[1]), fill), `${chart.id} ${b.id} at its end`);
    }
  }
});

test("data points sit at their anchors", async () => {
  for (const { chart, raw } of await charts) {
    if (chart.kind !== "scatter" && !chart.style.showPoints) continue;
    for (const p of of(chart.annotations, "point")) {
      assert.ok(near(px(raw, p.anchor.x, p.anchor.y), hex(p.color ?? "#000000"), 40), `${chart.id} ${p.id}`);
    }
  }
});

test("tick label, legend and title text is drawn inside its box, and fills it", async () => {
  for (const { chart, raw } of await charts) {
    const bg = hex(chart.style.background);
    const texts = chart.annotations.elements.filter((e) => e.kind === "x-tick-label" || e.kind === "y-tick-label" || e.kind === "legend-entry");
    assert.ok(texts.length > 4, chart.id);
    for (const e of texts) {
      const b = e.box;
      // Look a little wider than the box (not towards the axis ticks) to catch text spilling out.
      const win = e.kind === "y-tick-label" ? { x1: b.x1 - 4, y1: b.y1, x2: b.x2 + 1, y2: b.y2 } : { x1: b.x1 - 4, y1: b.y1, x2: b.x2 + 4, y2: b.y2 };
      const ink = inkBox(raw, win, bg);
      assert.ok(ink, `${chart.id} ${e.id} has no ink`);
      assert.ok(ink.x1 >= b.x1 - 1.5 && ink.x2 <= b.x2 + 1.5, `${chart.id} ${e.id} ink x ${ink.x1}-${ink.x2} outside box ${b.x1}-${b.x2}`);
      assert.ok(ink.x2 - ink.x1 >= 0.7 * (b.x2 - b.x1), `${chart.id} ${e.id} box much wider than its text`);
      // Vertically: nothing spills below, the glyphs fill most of the height (x labels: the tick mark ends 2 px above).
      const full = inkBox(raw, { x1: b.x1, y1: b.y1 - (e.kind === "x-tick-label" ? 0.5 : 2), x2: b.x2, y2: b.y2 + 2 }, bg);
      assert.ok(full && full.y1 >= b.y1 - 1.5 && full.y2 <= b.y2 + 1.5, `${chart.id} ${e.id} ink y outside box`);
      assert.ok(full.y2 - full.y1 >= 0.5 * (b.y2 - b.y1), `${chart.id} ${e.id} box much taller than its text`);
    }
  }
});

test("x tick anchors are top-edge centres, y tick anchors right-edge centres", async () => {
  for (const { chart } of await charts) {
    for (const e of of(chart.annotations, "x-tick-label"))
      assert.deepEqual([e.anchor.y, Math.abs(e.anchor.x - (e.box.x1 + e.box.x2) / 2) < 0.01], [e.box.y1, true]);
    for (const e of of(chart.annotations, "y-tick-label"))
      assert.deepEqual([e.anchor.x, Math.abs(e.anchor.y - (e.box.y1 + e.box.y2) / 2) < 0.01], [e.box.x2, true]);
  }
});

test("axis mappings put each datum where its mark is", async () => {
  for (const { chart } of await charts) {
    const a = chart.annotations;
    const vertical = chart.kind !== "hbar";
    const m = vertical ? a.axes.y : a.axes.x;
    assert.equal(m.scale, "linear");
    const d = m.domain as [number, number];
    for (const e of a.elements.filter((x) => x.kind === "bar" || x.kind === "point")) {
      const v = e.value as number;
      const pxv = m.range[0] + ((v - d[0]) * (m.range[1] - m.range[0])) / (d[1] - d[0]);
      assert.ok(Math.abs(pxv - (vertical ? e.anchor.y : e.anchor.x)) < 0.6, `${chart.id} ${e.id}`);
      if (chart.kind !== "scatter") {
        const cat = vertical ? a.axes.x : a.axes.y;
        const c = cat.centers?.[cat.categories?.indexOf(e.category ?? "") ?? -1];
        assert.ok(c !== undefined, `${chart.id} ${e.id} category`);
        if (chart.kind !== "grouped-bar") assert.ok(Math.abs(c - (vertical ? e.anchor.x : e.anchor.y)) < 0.6, `${chart.id} ${e.id} centre`);
      }
    }
  }
});

test("same seed, same chart", async () => {
  const [a, b] = await Promise.all([generateChart(11, "vbar"), generateChart(11, "vbar")]);
  assert.equal(a.svg, b.svg);
  assert.deepEqual(a.annotations, b.annotations);
});

test("charts with overlapping labels or missing marks are rejected", async () => {
  const { chart } = (await charts)[0];
  const a: ChartAnnotations = structuredClone(chart.annotations);
  const ticks = a.elements.filter((e) => e.kind === "x-tick-label");
  ticks[1].box = { ...ticks[0].box };
  assert.throws(() => validateAnnotations(a), ChartRejected);
  const b: ChartAnnotations = structuredClone(chart.annotations);
  b.elements = b.elements.filter((e) => e.kind !== "bar");
  assert.throws(() => validateAnnotations(b), ChartRejected);
});
