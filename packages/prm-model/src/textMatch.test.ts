import assert from "node:assert/strict";
import { test } from "node:test";
import { CoordinateSpace, type DrawingAction } from "@sketchvl/contract";
import { tryGenerateChart, rasterizeSvg, type ChartElement, type GeneratedChart } from "@sketchvl/chartworld";
import { decodeImage, drawActions, PatchedImage, type RasterImage } from "@sketchvl/drawing";
import { stepGeometry } from "./geometry";
import { stepPixels } from "./patches";
import { intentNames, TEXT_FEATURES, textFeatures } from "./textMatch";

const PIXEL = CoordinateSpace.COORDINATE_SPACE_PIXEL;

test("intentNames: the capitalised words and numbers an intent names", () => {
  assert.deepEqual(intentNames("Box the Urban legend entry"), { whole: "Urban", words: [] });
  assert.deepEqual(intentNames("Point at the x-axis label 2023"), { whole: "2023", words: [] });
  assert.deepEqual(intentNames("Box the Jan Urban bar"), { whole: "Jan Urban", words: ["Jan", "Urban"] });
  assert.deepEqual(intentNames("Box the R&D bar, which passes the line"), { whole: "R&D", words: [] });
  assert.deepEqual(intentNames("Circle the point where North rises above 400 for good"), { whole: "North", words: [] });
  // Each word costs a search: at most four distinct ones, whatever the intent.
  assert.deepEqual(intentNames(`Box the ${"A B ".repeat(60)}C D E F bar`)!.words, ["A", "B", "C", "D"]);
  assert.equal(intentNames("Box the tallest bar"), null);
  assert.equal(intentNames("Draw a line from that point down to the x-axis"), null);
  assert.equal(intentNames(""), null);
  assert.equal(intentNames(undefined as unknown as string), null);
});

interface TestChart {
  chart: GeneratedChart;
  image: RasterImage;
}
let charts: Promise<TestChart[]> | null = null;

/** The first multi-line ChartWorld chart in each DejaVu family with a legend of 3+ entries and 4+ x tick labels. */
function chartsWithLegends(): Promise<TestChart[]> {
  charts ??= (async () => {
    const byFont = new Map<string, TestChart>();
    for (let seed = 1; seed < 200 && byFont.size < 3; seed++) {
      const chart = await tryGenerateChart(seed, "multi-line");
      if (!chart || byFont.has(chart.style.font)) continue;
      const els = chart.annotations.elements;
      if (els.filter((e) => e.kind === "legend-entry").length < 3 || els.filter((e) => e.kind === "x-tick-label").length < 4) continue;
      byFont.set(chart.style.font, { chart, image: await decodeImage(await rasterizeSvg(chart.svg), { maxPixels: 1e8, maxBytes: 1 << 30 }) });
    }
    assert.equal(byFont.size, 3, "a chart in each family");
    return [...byFont.values()];
  })();
  return charts;
}

const boxOn = (e: ChartElement): DrawingAction => ({
  kind: { $case: "rectangle", value: { corner1: { x: e.box.x1, y: e.box.y1 }, corner2: { x: e.box.x2, y: e.box.y2 } } },
  color: "red",
  space: PIXEL,
});
const pointAt = (e: ChartElement): DrawingAction => ({ kind: { $case: "point", value: { at: e.anchor } }, color: "red", space: PIXEL });

function features(intent: string, action: DrawingAction, before: RasterImage): Float32Array {
  const px = stepPixels(before, null);
  const out = new Float32Array(TEXT_FEATURES).fill(NaN);
  textFeatures(intent, stepGeometry(action, px.width, px.height), px, out, 0);
  return out;
}

// Features: [has name, several words, length, digits], then per spot (inside, below, left): whole
// name (correlation, worst character, better elsewhere, ink beside), best word (the same four).
const INSIDE = 4;
const BELOW = 12;

test("textFeatures: a legend entry reads as its own name, not as another series'", async () => {
  let pairs = 0;
  let foundElsewhere = 0;
  for (const { chart, image } of await chartsWithLegends()) {
    const legend = chart.annotations.elements.filter((e) => e.kind === "legend-entry");
    for (const entry of legend) {
      const own = features(`Box the ${entry.text} legend entry`, boxOn(entry), image);
      assert.equal(own[0], 1);
      assert.ok(own[INSIDE] > 0.8, `${entry.text}: its own name correlates ${own[INSIDE]}`);
      assert.ok(own[INSIDE + 2] < 0.05, `${entry.text}: no better match elsewhere (${own[INSIDE + 2]})`);
      for (const other of legend.filter((e) => e !== entry && e.text !== entry.text)) {
        const wrong = features(`Box the ${other.text} legend entry`, boxOn(entry), image);
        assert.ok(wrong[INSIDE] < own[INSIDE], `${other.text} on ${entry.text}: ${wrong[INSIDE]} vs ${own[INSIDE]}`);
        assert.ok(
          Math.min(wrong[INSIDE], wrong[INSIDE + 1]) < own[INSIDE + 1],
          `${other.text} on ${entry.text}: worst character ${wrong[INSIDE + 1]} vs ${own[INSIDE + 1]}`,
        );
        // The named entry is in the legend's column or row and matches better there, or (names that
        // share most of their glyphs: "Company A" / "Company B") one character disagrees.
        assert.ok(
          wrong[INSIDE + 2] > 0.1 || wrong[INSIDE + 1] < own[INSIDE + 1] - 0.1,
          `${other.text} on ${entry.text}: ${[...wrong.subarray(INSIDE, INSIDE + 4)]}`,
        );
        pairs++;
        if (wrong[INSIDE + 2] > 0.1) foundElsewhere++;
      }
    }
  }
  assert.ok(foundElsewhere / pairs >= 0.6, `better elsewhere for ${foundElsewhere} of ${pairs} wrong names`);
});

test("textFeatures: a point on an x tick label reads the label below it; a name that is not there scores lower", async () => {
  let wrongLower = 0;
  let pairs = 0;
  for (const { chart, image } of await chartsWithLegends()) {
    const ticks = chart.annotations.elements.filter((e) => e.kind === "x-tick-label");
    for (const tick of ticks) {
      const own = features(`Point at the x-axis label ${tick.text}`, pointAt(tick), image);
      assert.ok(own[BELOW] > 0.75, `${tick.text}: its own label correlates ${own[BELOW]}`);
      assert.equal(own[INSIDE], 0, "a point has no inside");
      for (const other of ticks.filter((e) => e.text !== tick.text)) {
        const wrong = features(`Point at the x-axis label ${other.text}`, pointAt(tick), image);
        pairs++;
        if (wrong[BELOW + 1] < own[BELOW + 1]) wrongLower++;
      }
    }
  }
  // Labels can share all but one glyph ("2014" / "2015"): the worst character tells them apart.
  assert.ok(wrongLower / pairs >= 0.95, `worst character lower for ${wrongLower} of ${pairs} wrong labels`);
});

test("textFeatures: zeros without a name or for actions whose text has no fixed spot; the same through layers", async () => {
  const [{ chart, image }] = await chartsWithLegends();
  const entry = chart.annotations.elements.find((e) => e.kind === "legend-entry")!;
  assert.deepEqual([...features("Box the tallest bar", boxOn(entry), image)], new Array(TEXT_FEATURES).fill(0));
  const line: DrawingAction = { kind: { $case: "line", value: { start: { x: 10, y: 10 }, end: { x: 90, y: 10 } } }, color: "red", space: PIXEL };
  assert.deepEqual([...features(`Draw a line from the ${entry.text} point`, line, image)], new Array(TEXT_FEATURES).fill(0));
  // The before image as layers (how the renderer's images reach the PRM) reads as its pixels.
  const layered = await drawActions(image, [pointAt(entry)]);
  assert.ok(layered instanceof PatchedImage);
  const plain: RasterImage = { width: layered.width, height: layered.height, channels: layered.channels, pixels: layered.pixels };
  const intent = `Box the ${entry.text} legend entry`;
  assert.deepEqual(features(intent, boxOn(entry), layered), features(intent, boxOn(entry), plain));
});
