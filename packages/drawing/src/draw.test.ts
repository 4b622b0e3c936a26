import { test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { CoordinateSpace, type DrawingAction } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import { drawAction, drawActions } from "./draw";
import { encodePng, type RasterImage } from "./images";

const W = 1000;
const H = 700;
const RED = [255, 0, 0];
const WHITE = [255, 255, 255];

async function plain(color: { r: number; g: number; b: number }, width = W, height = H): Promise<RasterImage> {
  const { data, info } = await sharp({ create: { width, height, channels: 3, background: color } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, pixels: data };
}
const white = () => plain({ r: 255, g: 255, b: 255 });

function at(img: RasterImage, x: number, y: number): number[] {
  const i = (y * img.width + x) * img.channels;
  return [...img.pixels.subarray(i, i + img.channels)];
}

const pt = (x: number, y: number) => ({ x, y });
const action = (kind: DrawingAction["kind"], color = "", space = CoordinateSpace.COORDINATE_SPACE_NORM_1000): DrawingAction => ({ kind, color, space });
const line = (x1: number, y1: number, x2: number, y2: number, color = "") => action({ $case: "line", value: { start: pt(x1, y1), end: pt(x2, y2) } }, color);
const box = (x1: number, y1: number, x2: number, y2: number, color = "") =>
  action({ $case: "rectangle", value: { corner1: pt(x1, y1), corner2: pt(x2, y2) } }, color);

const invalid = (field: string, text: string) => (e: unknown) => e instanceof InvalidArgumentError && e.field === field && e.description.includes(text);

test("a horizontal NORM_1000 line at y=400 colors row 280 over its x range only", async () => {
  const out = await drawAction(await white(), line(100, 400, 900, 400));
  assert.equal(out.channels, 3);
  for (const x of [110, 300, 500, 890]) assert.deepEqual(at(out, x, 280), RED, `x=${x}`);
  for (const x of [50, 950]) assert.deepEqual(at(out, x, 280), WHITE, `x=${x}`);
  for (const y of [200, 260, 300, 600]) assert.deepEqual(at(out, 500, y), WHITE, `y=${y}`);
});

test("a box colors its edges, not its interior or outside", async () => {
  // NORM (200,200)-(600,500) on 1000×700 → px x 200..600, y 140..350.
  const out = await drawAction(await white(), box(200, 200, 600, 500, "Blue"));
  const BLUE = [0, 0, 255];
  assert.deepEqual(at(out, 400, 140), BLUE); // top edge
  assert.deepEqual(at(out, 400, 349), BLUE); // bottom edge (the stroke straddles y=350)
  assert.deepEqual(at(out, 200, 250), BLUE); // left edge
  assert.deepEqual(at(out, 599, 250), BLUE); // right edge
  assert.deepEqual(at(out, 400, 250), WHITE); // interior
  assert.deepEqual(at(out, 100, 100), WHITE); // outside
});

test("only the mark's neighbourhood changes", async () => {
  const base = await white();
  const out = await drawAction(base, box(200, 200, 600, 500));
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const near = x >= 190 && x <= 610 && y >= 130 && y <= 360;
      if (!near) assert.deepEqual(at(out, x, y), WHITE, `(${x},${y})`);
    }
  }
  assert.deepEqual(at(base, 400, 140), WHITE, "the input image is not modified");
});

test("a halo outlines each mark: white under red on black, black under yellow on white", async () => {
  // PIXEL coordinates on half pixels so stroke and halo cover whole rows: stroke 3 → rows 139..141,
  // halo 1 px each side → rows 138 and 142.
  const pixelBox = (color: string) =>
    action({ $case: "rectangle", value: { corner1: pt(100.5, 140.5), corner2: pt(500.5, 400.5) } }, color, CoordinateSpace.COORDINATE_SPACE_PIXEL);
  const dark = await drawAction(await plain({ r: 0, g: 0, b: 0 }), pixelBox("red"));
  assert.deepEqual(at(dark, 300, 140), RED);
  assert.deepEqual(at(dark, 300, 138), WHITE);
  assert.deepEqual(at(dark, 300, 142), WHITE);
  assert.deepEqual(at(dark, 300, 136), [0, 0, 0]);
  const light = await drawAction(await white(), pixelBox("yellow"));
  assert.deepEqual(at(light, 300, 140), [255, 255, 0]);
  assert.deepEqual(at(light, 300, 138), [0, 0, 0]);
});

test("point, circle and text leave visible marks where expected", async () => {
  const base = await white();
  const dot = await drawAction(base, action({ $case: "point", value: { at: pt(500, 500) } }, "green"));
  assert.deepEqual(at(dot, 500, 350), [0, 128, 0]);
  assert.deepEqual(at(dot, 520, 350), WHITE);

  // Radius 100 (NORM) = 70 px along the shorter side.
  const ring = await drawAction(base, action({ $case: "circle", value: { center: pt(500, 500), radius: 100 } }));
  assert.deepEqual(at(ring, 570, 350), RED);
  assert.deepEqual(at(ring, 500, 280), RED);
  assert.deepEqual(at(ring, 500, 350), WHITE);
  assert.deepEqual(at(ring, 600, 350), WHITE);

  const label = await drawAction(base, action({ $case: "text", value: { at: pt(100, 100), text: "Peak: 42%" } }, "black"));
  let dark = 0;
  for (let y = 70; y < 100; y++) for (let x = 100; x < 230; x++) if (at(label, x, y)[0] < 100) dark++;
  assert.ok(dark > 100, `glyph pixels: ${dark}`);
  assert.deepEqual(at(label, 500, 300), WHITE);
});

test("text with markup characters and control characters renders", async () => {
  const out = await drawAction(await white(), action({ $case: "text", value: { at: pt(10, 10), text: '<b>&"x"</b>\u0000\n画 🎨' } }));
  assert.notDeepEqual(out.pixels, (await white()).pixels);
  const blank = await drawAction(await white(), action({ $case: "text", value: { at: pt(10, 10), text: "   " } }));
  assert.deepEqual(blank.pixels, (await white()).pixels);
});

test("crop returns the region, and later actions refer to it", async () => {
  // A gradient so the crop's content can be checked.
  const base = await white();
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) base.pixels[(y * W + x) * 3] = (x + y) % 256;
  const crop = action({ $case: "crop", value: { corner1: pt(600, 500), corner2: pt(100, 100) } });
  const out = await drawAction(base, crop);
  assert.equal(out.width, 500); // x 100..600
  assert.equal(out.height, 280); // y 70..350
  assert.equal(at(out, 0, 0)[0], (100 + 70) % 256);
  assert.equal(at(out, 499, 279)[0], (599 + 349) % 256);

  const both = await drawActions(await white(), [crop, line(0, 500, 1000, 500, "blue")]);
  assert.equal(both.width, 500);
  assert.deepEqual(at(both, 250, 140), [0, 0, 255]);
  await assert.rejects(drawAction(base, action({ $case: "crop", value: { corner1: pt(1200, 100), corner2: pt(1500, 300) } })), invalid("crop", "empty"));
});

test("drawing is deterministic and drawActions equals successive drawAction", async () => {
  const actions = [line(100, 400, 900, 420), box(200, 200, 600, 500, "#00aaff"), action({ $case: "text", value: { at: pt(50, 50), text: "x=3" } })];
  const a = await drawActions(await white(), actions);
  const b = await drawActions(await white(), actions);
  assert.deepEqual(await encodePng(a), await encodePng(b));
  let c = await white();
  for (const act of actions) c = await drawAction(c, act);
  assert.deepEqual(c.pixels, a.pixels);
});

test("RGBA images keep their channels", async () => {
  const rgba: RasterImage = { width: 100, height: 100, channels: 4, pixels: Buffer.alloc(100 * 100 * 4, 255) };
  const out = await drawAction(rgba, line(0, 500, 1000, 500));
  assert.equal(out.channels, 4);
  assert.deepEqual(at(out, 50, 50), [255, 0, 0, 255]);
});

test("errors name the field", async () => {
  const img = await white();
  await assert.rejects(drawAction(img, line(100, NaN, 900, 400)), invalid("line.start.y", "not a finite number"));
  await assert.rejects(drawAction(img, box(100, 100, 5000, 400)), invalid("rectangle.corner2.x", "absurd coordinate"));
  await assert.rejects(drawAction(img, line(100, 400, 900, 400, "octarine")), invalid("color", 'unknown color "octarine"'));
  await assert.rejects(drawAction(img, { kind: undefined, color: "", space: 0 }), invalid("kind", "no kind"));
  await assert.rejects(
    drawAction(img, action({ $case: "rectangle", value: { corner1: pt(1, 1), corner2: undefined } })),
    invalid("rectangle.corner2", "required"),
  );
  await assert.rejects(drawAction(img, action({ $case: "circle", value: { center: pt(1, 1), radius: -3 } })), invalid("circle.radius", "negative"));
  await assert.rejects(drawAction(img, action({ $case: "text", value: { at: pt(1, 1), text: "x".repeat(501) } })), invalid("text.text", "limit is 500"));
  await assert.rejects(drawActions(img, [line(1, 1, 2, 2), line(1, 1, 2, 2, "nope")]), invalid("actions[1].color", "unknown color"));
});

test("text is not clipped however wide its glyphs", async () => {
  const out = await drawAction(
    await white(),
    action({ $case: "text", value: { at: pt(10, 10), text: "WWWWWWWWWW" } }, "black", CoordinateSpace.COORDINATE_SPACE_PIXEL),
  );
  // Ten W of DejaVu Sans at 23 px end near x = 10 + 10 × 22.8 ≈ 238.
  let lastDark = 0;
  for (let x = 0; x < W; x++) for (let y = 10; y < 40; y++) if (at(out, x, y)[0] < 100) lastDark = x;
  assert.ok(lastDark > 225 && lastDark < 260, `last glyph pixel at x=${lastDark}`);
});
