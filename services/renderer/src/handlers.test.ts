import { test } from "node:test";
import assert from "node:assert/strict";
import { CoordinateSpace, ImageFormat, type Step } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/runtime/errors";
import { ImageStore } from "@sketchvl/drawing";
import { rendererHandlers } from "./handlers";

const LIMITS = { maxPixels: 1_000_000, maxBytes: 1_000_000, maxActions: 16, maxTextChars: 5 };
type Context = Parameters<ReturnType<typeof rendererHandlers>["renderTrajectory"]>[1];
const context = { signal: new AbortController().signal } as unknown as Context;

const point = (x: number, y: number): Step["action"] => ({ kind: { $case: "point", value: { at: { x, y } } }, color: "Red", space: CoordinateSpace.COORDINATE_SPACE_NORM_1000 });
/** A Step as a client builds it by hand: no index set (0). */
const step = (action: Step["action"]): Step => ({ index: 0, turn: 0, intent: "", action, deduction: "", span: undefined, intentSpan: undefined, actionSpan: undefined });

test("RenderTrajectory numbers after-images by position in the request, not Step.index", async () => {
  const handlers = rendererHandlers(new ImageStore(1 << 24), LIMITS);
  const baseImage = { source: { $case: "raw" as const, value: { width: 20, height: 10, channels: 3, pixels: Buffer.alloc(600, 255) } } };
  const steps = [step(point(100, 100)), step(point(500, 500)), { ...step(point(900, 900)), index: 7 }];
  const out = [];
  for await (const r of handlers.renderTrajectory({ baseImage, steps, outputFormat: ImageFormat.IMAGE_FORMAT_DIGEST_ONLY }, context)) out.push(r);
  assert.deepEqual(out.map((r) => r.stepIndex), [0, 1, 2]);
  assert.equal(out[1].beforeDigest, out[0].after?.digest);
});

test("ParseSteps' text limit counts characters (code points), not UTF-16 units", async () => {
  const handlers = rendererHandlers(new ImageStore(1 << 20), LIMITS);
  // Five emoji: 10 UTF-16 units, 5 characters.
  const ok = await handlers.parseSteps({ text: "😀😀😀😀😀", format: 0 }, context);
  assert.equal(ok.parsed?.steps?.length, 0);
  await assert.rejects(
    Promise.resolve(handlers.parseSteps({ text: "😀😀😀😀😀😀", format: 0 }, context)),
    (e: unknown) => e instanceof InvalidArgumentError && e.field === "text" && /^6 characters \(Unicode code points\); the limit is 5$/.test(e.description),
  );
  await assert.rejects(Promise.resolve(handlers.parseSteps({ text: "abcdef", format: 0 }, context)), InvalidArgumentError);
  // A lone surrogate counts one, as in spans.
  await assert.rejects(Promise.resolve(handlers.parseSteps({ text: "😀😀\ud800😀😀😀", format: 0 }, context)), InvalidArgumentError);
  assert.ok(await handlers.parseSteps({ text: "😀😀\ud800😀😀", format: 0 }, context));
});
