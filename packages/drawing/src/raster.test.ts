import { test } from "node:test";
import assert from "node:assert/strict";
import { CoordinateSpace, type DrawingAction } from "@sketchvl/contract";
import { planActions } from "./draw";
import type { Overlay } from "./overlay";
import sharp from "sharp";
import { overlayPixels, rasterizeOverlay, rasterizeOverlays } from "./raster";

/** The oracle: the overlay as its own SVG document (its box as the root viewBox), as marks were first drawn. */
async function alone(o: Overlay): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${o.width}" height="${o.height}" viewBox="${o.left} ${o.top} ${o.width} ${o.height}">${o.body}</svg>`;
  return sharp(Buffer.from(svg)).ensureAlpha().raw({ depth: "uchar" }).toBuffer();
}

/** A deterministic spread of marks: every kind, colours, sizes, text, and marks clipped at the edges. */
function marks(count: number): DrawingAction[] {
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const p = () => ({ x: Math.round(rnd() * 1040) - 20, y: Math.round(rnd() * 1040) - 20 });
  const colors = ["red", "blue", "green", "orange", "purple", "black"];
  const texts = ["FDI", "2015", "Q3 peak", "ÄÖü ✓", "x"];
  return Array.from({ length: count }, (_, i): DrawingAction => {
    const color = colors[i % colors.length];
    const space = CoordinateSpace.COORDINATE_SPACE_NORM_1000;
    switch (i % 5) {
      case 0:
        return { kind: { $case: "line", value: { start: p(), end: p() } }, color, space };
      case 1:
        return { kind: { $case: "rectangle", value: { corner1: p(), corner2: p() } }, color, space };
      case 2:
        return { kind: { $case: "point", value: { at: p() } }, color, space };
      case 3:
        return { kind: { $case: "circle", value: { center: p(), radius: 5 + Math.round(rnd() * 80) } }, color, space };
      default:
        return { kind: { $case: "text", value: { at: p(), text: texts[i % texts.length] } }, color, space };
    }
  });
}

test("marks rasterized together on an atlas get exactly the pixels they get alone", async () => {
  const overlays = planActions({ width: 1000, height: 700 }, marks(60), (i) => `actions[${i}]`).flatMap(({ op }) =>
    op.op === "mark" && op.overlay ? [op.overlay] : [],
  );
  assert.ok(overlays.length >= 50);
  const together = await rasterizeOverlays(overlays);
  const expected = await Promise.all(overlays.map(alone));
  // Fresh copies of the overlays, so nothing comes from the atlas's cache.
  const single = await Promise.all(overlays.map((o) => rasterizeOverlay({ ...o } as Overlay)));
  together.forEach((r, i) => {
    assert.equal(r.overlay, overlays[i]);
    assert.ok(overlayPixels(r).equals(expected[i]), `overlay ${i} (${overlays[i].body.slice(0, 40)}…) differs on the atlas`);
    assert.ok(overlayPixels(single[i]).equals(expected[i]), `overlay ${i} differs rasterized alone`);
  });
  // A second call reuses what was rasterized.
  const again = await rasterizeOverlays(overlays.slice(0, 3));
  again.forEach((r, i) => {
    assert.equal(r, together[i]);
  });
});

test("marks too many or too large for one atlas are rasterized in pieces (librsvg's 32767 px limit)", async () => {
  const box = (i: number): DrawingAction => ({
    kind: { $case: "rectangle", value: { corner1: { x: 10 + (i % 7), y: 10 }, corner2: { x: 900, y: 990 } } },
    color: "red",
    space: CoordinateSpace.COORDINATE_SPACE_NORM_1000,
  });
  const overlays = planActions(
    { width: 1000, height: 700 },
    Array.from({ length: 70 }, (_, i) => box(i)),
    (i) => `actions[${i}]`,
  ).flatMap(({ op }) => (op.op === "mark" && op.overlay ? [op.overlay] : []));
  assert.ok(overlays.reduce((h, o) => h + o.height, 0) > 32767, "stacked, they would exceed librsvg's limit");
  const together = await rasterizeOverlays(overlays);
  assert.ok(overlayPixels(together[69]).equals(await alone(overlays[69])));
});
