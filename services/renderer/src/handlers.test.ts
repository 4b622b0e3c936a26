import { after, test } from "node:test";
import assert from "node:assert/strict";
import { CoordinateSpace, type DrawingAction, ImageFormat, type Step } from "@sketchvl/contract";
import { WorkBudget } from "@sketchvl/runtime";
import { InvalidArgumentError, ResourceExhaustedError } from "@sketchvl/errors";
import { DrawingThreads, ImageStore } from "@sketchvl/drawing";
import { ChartSandbox } from "./chartSandbox/chartSandbox";
import { rendererHandlers } from "./handlers";

const threads = new DrawingThreads(1);
// Its workers start on the first RenderChartCode; chartSandbox.test.ts tests them.
const sandbox = new ChartSandbox({ workers: 1, timeoutMs: 10_000, memoryMb: 128, maxQueue: 4, maxPixels: 1_000_000, maxSvgBytes: 1 << 20 });
after(() => Promise.all([threads.close(), sandbox.close()]));
const handlersWith = (storeBytes: number, budgetBytes = 1 << 28) => {
  const budget = new WorkBudget(budgetBytes, "--work-budget-bytes", "renderer-test");
  return { budget, handlers: rendererHandlers({ store: new ImageStore(storeBytes, { sharedMemory: true }), limits: LIMITS, threads, budget, sandbox }) };
};

const LIMITS = { maxPixels: 1_000_000, maxBytes: 1_000_000, maxTrajectories: 8, maxActions: 16, maxTextChars: 5, maxChartCodeChars: 1000 };
type Context = Parameters<ReturnType<typeof rendererHandlers>["renderTrajectory"]>[1];
const context = { signal: new AbortController().signal } as unknown as Context;

const point = (x: number, y: number): Step["action"] => ({
  kind: { $case: "point", value: { at: { x, y } } },
  color: "Red",
  space: CoordinateSpace.COORDINATE_SPACE_NORM_1000,
});
/** A Step as a client builds it by hand: no index set (0). */
const step = (action: Step["action"]): Step => ({
  index: 0,
  turn: 0,
  intent: "",
  action,
  deduction: "",
  span: undefined,
  intentSpan: undefined,
  actionSpan: undefined,
});

test("RenderTrajectory numbers after-images by position in the request, not Step.index", async () => {
  const { handlers } = handlersWith(1 << 24);
  const baseImage = { source: { $case: "raw" as const, value: { width: 20, height: 10, channels: 3, pixels: Buffer.alloc(600, 255) } } };
  const steps = [step(point(100, 100)), step(point(500, 500)), { ...step(point(900, 900)), index: 7 }];
  const out = [];
  for await (const r of handlers.renderTrajectory({ baseImage, steps, outputFormat: ImageFormat.IMAGE_FORMAT_DIGEST_ONLY }, context)) out.push(r);
  assert.deepEqual(
    out.map((r) => r.stepIndex),
    [0, 1, 2],
  );
  assert.equal(out[1].beforeDigest, out[0].after?.digest);
});

test("ParseSteps' text limit counts characters (code points), not UTF-16 units", async () => {
  const { handlers } = handlersWith(1 << 20);
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

const circle = (radius: number): DrawingAction => ({
  kind: { $case: "circle", value: { center: { x: 500, y: 500 }, radius } },
  color: "Blue",
  space: CoordinateSpace.COORDINATE_SPACE_NORM_1000,
});
const whiteRaw = (width: number, height: number) => ({
  source: { $case: "raw" as const, value: { width, height, channels: 3, pixels: Buffer.alloc(width * height * 3, 255) } },
});

test("a call is admitted by its working memory: refused at once when the budget is taken, INVALID_ARGUMENT when it could never fit", async () => {
  // 500×500 RGB, a circle over most of it, PNG out: a few MB.
  const request = { image: whiteRaw(500, 500), actions: [circle(400)], outputFormat: ImageFormat.IMAGE_FORMAT_PNG };
  const small = handlersWith(1 << 24, 64 * 1024);
  await assert.rejects(
    Promise.resolve(small.handlers.render(request, context)),
    (e: unknown) => e instanceof InvalidArgumentError && e.field === "actions" && /--work-budget-bytes/.test(e.description),
  );

  const { handlers, budget } = handlersWith(1 << 24, 16 * 1024 * 1024);
  const taken = budget.reserve(15 * 1024 * 1024, "test");
  const started = performance.now();
  await assert.rejects(
    Promise.resolve(handlers.render(request, context)),
    (e: unknown) => e instanceof ResourceExhaustedError && /retry with backoff/.test(e.message),
  );
  assert.ok(performance.now() - started < 50, "the refusal comes before any pixel work");
  taken.release();
  const drawn = await handlers.render(request, context);
  assert.equal(drawn.image?.width, 500);
  assert.equal(budget.inUse, 0, "a finished call gives its memory back");
});

test("a trajectory's reservation is returned when the caller stops reading, and when a step fails validation", async () => {
  const { handlers, budget } = handlersWith(1 << 24);
  const steps = [step(circle(100)), step(circle(200)), step(circle(300))];
  for await (const r of handlers.renderTrajectory({ baseImage: whiteRaw(300, 300), steps, outputFormat: ImageFormat.IMAGE_FORMAT_PNG }, context)) {
    assert.equal(r.stepIndex, 0);
    assert.ok(budget.inUse > 0);
    break;
  }
  assert.equal(budget.inUse, 0);
  const bad = [step(circle(100)), step({ ...circle(100), color: "octarine" })];
  await assert.rejects(
    async () => {
      for await (const _ of handlers.renderTrajectory({ baseImage: whiteRaw(300, 300), steps: bad, outputFormat: ImageFormat.IMAGE_FORMAT_PNG }, context))
        void _;
    },
    (e: unknown) => e instanceof InvalidArgumentError && e.field === "steps[1].action.color",
  );
  assert.equal(budget.inUse, 0);
});

test("RenderTrajectories draws each trajectory as RenderTrajectory does; a bad one answers with its TrajectoryError and the others go on", async () => {
  const { handlers, budget } = handlersWith(1 << 24);
  const baseImage = whiteRaw(300, 300);
  const good = [step(circle(100)), step(point(200, 300)), step(circle(300))];
  const badColor = [step(circle(100)), step({ ...circle(100), color: "octarine" })];
  const noAction = [step(circle(100)), step(undefined)];
  const tooLong = Array.from({ length: LIMITS.maxActions + 1 }, () => step(circle(50)));
  const trajectories = [good, badColor, noAction, tooLong, good].map((steps) => ({ steps }));
  const byTrajectory = new Map<number, string[]>();
  const errors = new Map<number, { code: string; field: string }>();
  for await (const r of handlers.renderTrajectories({ baseImage, trajectories, outputFormat: ImageFormat.IMAGE_FORMAT_PATCH }, context)) {
    const index = r.trajectoryIndex ?? -1;
    if (r.result?.$case === "error") errors.set(index, { code: r.result.value?.code ?? "", field: r.result.value?.field ?? "" });
    if (r.result?.$case === "step") {
      const digests = byTrajectory.get(index) ?? [];
      assert.equal(r.result.value?.stepIndex, digests.length, "a trajectory's steps come in order");
      byTrajectory.set(index, [...digests, r.result.value?.after?.digest ?? ""]);
    }
  }
  const alone: string[] = [];
  for await (const r of handlers.renderTrajectory({ baseImage, steps: good, outputFormat: ImageFormat.IMAGE_FORMAT_PATCH }, context))
    alone.push(r.after?.digest ?? "");
  assert.deepEqual(byTrajectory.get(0), alone, "the same after-images as RenderTrajectory");
  assert.deepEqual(byTrajectory.get(4), alone);
  assert.deepEqual([...byTrajectory.keys()].sort(), [0, 4], "nothing is drawn of a trajectory that fails its checks");
  assert.deepEqual(
    [...errors].sort(([a], [b]) => a - b).map(([i, e]) => [i, e.code, e.field]),
    [
      [1, "INVALID_ARGUMENT", "steps[1].action.color"],
      [2, "INVALID_ARGUMENT", "steps[1].action"],
      [3, "INVALID_ARGUMENT", "steps"],
    ],
  );
  assert.equal(budget.inUse, 0);
});

test("RenderTrajectories refuses more trajectories than --max-trajectories, and returns its reservation when the caller stops reading", async () => {
  const { handlers, budget } = handlersWith(1 << 24);
  const baseImage = whiteRaw(300, 300);
  const trajectories = Array.from({ length: LIMITS.maxTrajectories + 1 }, () => ({ steps: [step(circle(100))] }));
  await assert.rejects(
    async () => {
      for await (const _ of handlers.renderTrajectories({ baseImage, trajectories, outputFormat: ImageFormat.IMAGE_FORMAT_PNG }, context)) void _;
    },
    (e: unknown) => e instanceof InvalidArgumentError && e.field === "trajectories",
  );
  const heavy = Array.from({ length: 4 }, () => ({ steps: [step(circle(100)), step(circle(200)), step(circle(300))] }));
  for await (const r of handlers.renderTrajectories({ baseImage, trajectories: heavy, outputFormat: ImageFormat.IMAGE_FORMAT_PNG }, context)) {
    assert.equal(r.result?.$case, "step");
    assert.ok(budget.inUse > 0);
    break;
  }
  assert.equal(budget.inUse, 0);
});
