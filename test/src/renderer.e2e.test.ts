// The renderer as an operator runs it: its own process, real gRPC on loopback, real images.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CoordinateSpace, type DrawingAction, ImageFormat, RendererServiceDefinition, type Step, StepFormat } from "@sketchvl/contract";
import type { RunningProcess } from "@sketchvl/launcher";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import { createChannel, createClient } from "nice-grpc";
import { HealthDefinition } from "nice-grpc-server-health";
import sharp from "sharp";
import { failureOf, startService } from "./support/mesh";
import { fileContainingSymbol, listServices } from "./support/reflection";

const W = 1000;
const H = 700;
let renderer: RunningProcess;
let channel: ReturnType<typeof createMeshChannel>;
let client: ReturnType<typeof createMeshClient<typeof RendererServiceDefinition>>;
let chart: Buffer;

const line = (y1: number, x1: number, y2: number, x2: number, color = "red"): DrawingAction => ({
  kind: { $case: "line", value: { start: { x: x1, y: y1 }, end: { x: x2, y: y2 } } },
  color,
  space: CoordinateSpace.COORDINATE_SPACE_NORM_1000,
});
const box = (y1: number, x1: number, y2: number, x2: number, color = "blue"): DrawingAction => ({
  kind: { $case: "rectangle", value: { corner1: { x: x1, y: y1 }, corner2: { x: x2, y: y2 } } },
  color,
  space: CoordinateSpace.COORDINATE_SPACE_NORM_1000,
});
const step = (index: number, action: DrawingAction): Step => ({
  index,
  turn: 0,
  intent: `step ${index}`,
  action,
  deduction: "",
  span: undefined,
  intentSpan: undefined,
  actionSpan: undefined,
});

async function pixelsOf(png: Uint8Array) {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return (x: number, y: number) => {
    const i = (y * info.width + x) * info.channels;
    return [data[i], data[i + 1], data[i + 2]];
  };
}
const isWhite = ([r, g, b]: number[]) => r > 245 && g > 245 && b > 245;
const isReddish = ([r, g, b]: number[]) => r > 180 && g < 90 && b < 90;
const isBluish = ([r, g, b]: number[]) => b > 180 && r < 90 && g < 120;

before(async () => {
  renderer = await startService("renderer", { args: ["--log-level", "warn", "--max-pixels", "4000000"] });
  channel = createMeshChannel(renderer.address);
  client = createMeshClient(RendererServiceDefinition, channel, { deadlineMs: 20_000 });
  chart = await sharp({ create: { width: W, height: H, channels: 3, background: "#ffffff" } })
    .png()
    .toBuffer();
});
after(async () => {
  channel?.close();
  await renderer?.stop();
});

describe("renderer service", () => {
  it("is ready on grpc.health.v1, and reflection lists it (grpcurl list / describe)", async () => {
    const healthChannel = createChannel(renderer.address);
    const health = createClient(HealthDefinition, healthChannel);
    assert.equal((await health.check({ service: "sketchvl.v1.RendererService" })).status, 1);
    assert.equal((await health.check({ service: "" })).status, 1);
    healthChannel.close();
    const services = await listServices(renderer.address);
    assert.ok(services.includes("sketchvl.v1.RendererService"), services.join());
    assert.ok((await fileContainingSymbol(renderer.address, "sketchvl.v1.RendererService")) > 0);
  });

  it("streams each after-image of a trajectory, marks where the coordinates say", async () => {
    const steps = [step(0, line(400, 0, 400, 1000, "red")), step(1, box(100, 100, 300, 400, "blue"))];
    const responses = [];
    for await (const r of client.renderTrajectory({
      baseImage: { source: { $case: "encoded", value: chart } },
      steps,
      outputFormat: ImageFormat.IMAGE_FORMAT_PNG,
    })) {
      responses.push(r);
    }
    assert.equal(responses.length, 2);
    assert.deepEqual(
      responses.map((r) => r.stepIndex),
      [0, 1],
    );
    // before of step 1 is after of step 0: the (img_{j-1}, img_j) chain a PRM consumes.
    assert.equal(responses[1].beforeDigest, responses[0].after!.digest);
    const after0 = responses[0].after!.image!.source;
    assert.equal(after0?.$case, "encoded");
    const px0 = await pixelsOf(after0!.value as Buffer);
    // y = 400/1000 of 700 px = row 280.
    assert.ok(isReddish(px0(500, 280)), `row 280 should be red, got ${px0(500, 280)}`);
    assert.ok(isWhite(px0(500, 200)) && isWhite(px0(500, 360)));
    const after1 = responses[1].after!.image!.source;
    const px1 = await pixelsOf(after1!.value as Buffer);
    assert.ok(isReddish(px1(500, 280)), "step 1 keeps step 0's mark");
    // The box spans x 100..400 px, y 70..210 px: its top edge is blue, its inside untouched.
    assert.ok(isBluish(px1(250, 70)), `top edge should be blue, got ${px1(250, 70)}`);
    assert.ok(isWhite(px1(250, 140)), "inside of the box stays white");
  });

  it("accepts an image once and by digest afterwards, with raw pixels out for in-mesh consumers", async () => {
    const put = await client.putImage({ image: { source: { $case: "encoded", value: chart } } });
    assert.match(put.image!.digest, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual([put.image!.width, put.image!.height], [W, H]);
    const raw = await client.render({
      image: { source: { $case: "digest", value: put.image!.digest } },
      actions: [line(400, 0, 400, 1000)],
      outputFormat: ImageFormat.IMAGE_FORMAT_RAW,
    });
    const source = raw.image!.image!.source;
    assert.equal(source?.$case, "raw");
    if (source?.$case !== "raw") return;
    assert.equal(source.value.pixels.length, W * H * source.value.channels);
    // The returned digest refers to the result: draw on it again without sending pixels.
    const again = await client.render({
      image: { source: { $case: "digest", value: raw.image!.digest } },
      actions: [box(100, 100, 300, 400)],
      outputFormat: ImageFormat.IMAGE_FORMAT_DIGEST_ONLY,
    });
    assert.equal(again.image!.image, undefined);
    assert.match(again.image!.digest, /^sha256:/);
  });

  it("returns after-images as patches: only the marks' rectangles travel, and they rebuild the exact pixels", async () => {
    const put = await client.putImage({ image: { source: { $case: "encoded", value: chart } } });
    const steps = [step(0, box(100, 100, 300, 400)), step(1, line(400, 0, 400, 1000)), step(2, line(0, 500, 1000, 500, "green"))];
    const baseImage = { source: { $case: "digest" as const, value: put.image!.digest } };
    const raw: Buffer[] = [];
    for await (const r of client.renderTrajectory({ baseImage, steps, outputFormat: ImageFormat.IMAGE_FORMAT_RAW })) {
      raw.push(r.after!.image!.source!.$case === "raw" ? Buffer.from(r.after!.image!.source!.value.pixels) : assert.fail("not raw"));
    }
    let current = Buffer.from(await sharp(chart).removeAlpha().raw().toBuffer());
    let before = put.image!.digest;
    let sent = 0;
    for await (const r of client.renderTrajectory({ baseImage, steps, outputFormat: ImageFormat.IMAGE_FORMAT_PATCH })) {
      assert.equal(r.beforeDigest, before);
      const source = r.after!.image!.source;
      if (source?.$case !== "patch") return assert.fail(`step ${r.stepIndex}: ${source?.$case}`);
      assert.equal(source.value.base, before);
      current = Buffer.from(current);
      for (const { left, top, pixels } of source.value.regions) {
        sent += pixels!.pixels.length;
        for (let y = 0; y < pixels!.height; y++) {
          current.set(pixels!.pixels.subarray(y * pixels!.width * 3, (y + 1) * pixels!.width * 3), ((top + y) * W + left) * 3);
        }
      }
      assert.ok(current.equals(raw[r.stepIndex]), `step ${r.stepIndex}: patched base = the raw after-image`);
      before = r.after!.digest;
    }
    assert.ok(sent < (W * H * 3) / 4, `${sent} bytes of patches for 3 steps`);
    // The patched image is stored under its digest: draw on it by digest.
    const next = await client.render({ image: { source: { $case: "digest", value: before } }, actions: [], outputFormat: ImageFormat.IMAGE_FORMAT_PATCH });
    assert.deepEqual(next.image!.image!.source, { $case: "digest", value: before });
  });

  it("gives identical bytes for identical input", async () => {
    const render = () =>
      client.render({
        image: { source: { $case: "encoded", value: chart } },
        actions: [line(400, 0, 400, 1000), box(10, 10, 90, 90)],
        outputFormat: ImageFormat.IMAGE_FORMAT_PNG,
      });
    const [a, b] = await Promise.all([render(), render()]);
    assert.equal(a.image!.digest, b.image!.digest);
  });

  it("parses a SketchVL response into steps with spans", async () => {
    const text = "Deduction1: find the legend.\nIntent1: Box the FDI legend entry\nAction1: #Draw Box, [100,200,150,400], Red\nAnswer: 2015";
    const { parsed } = await client.parseSteps({ text, format: StepFormat.STEP_FORMAT_UNSPECIFIED });
    assert.equal(parsed!.steps.length, 1);
    assert.equal(parsed!.answer, "2015");
    const s = parsed!.steps[0];
    assert.equal(text.slice(s.intentSpan!.start, s.intentSpan!.end).includes("Box the FDI legend entry"), true);
    assert.equal(s.action!.kind?.$case, "rectangle");
  });

  describe("bad input gets a clear error naming the field", () => {
    it("unreadable image bytes → INVALID_ARGUMENT image.encoded", async () => {
      const f = await failureOf(() =>
        client.render({ image: { source: { $case: "encoded", value: Buffer.from("not an image at all") } }, actions: [], outputFormat: 0 }),
      );
      assert.equal(f.code, "INVALID_ARGUMENT");
      assert.deepEqual(f.fields, ["image.encoded"]);
    });

    it("a decompression bomb (too many pixels) is refused before decoding", async () => {
      const big = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: "#fff" } })
        .png()
        .toBuffer();
      const f = await failureOf(() => client.putImage({ image: { source: { $case: "encoded", value: big } } }));
      assert.deepEqual([f.code, f.reason], ["INVALID_ARGUMENT", "LIMIT_EXCEEDED"]);
      assert.match(f.message, /6000000 pixels; the limit is 4000000/);
    });

    it("an unknown color, a NaN coordinate and a missing action kind name their step", async () => {
      const base = { source: { $case: "encoded" as const, value: chart } };
      const color = await failureOf(() => client.render({ image: base, actions: [line(1, 1, 2, 2), line(1, 1, 2, 2, "mauve-ish")], outputFormat: 0 }));
      assert.deepEqual([color.code, color.fields], ["INVALID_ARGUMENT", ["actions[1].color"]]);
      const nan = await failureOf(() => client.render({ image: base, actions: [line(Number.NaN, 1, 2, 2)], outputFormat: 0 }));
      assert.deepEqual([nan.code, nan.fields], ["INVALID_ARGUMENT", ["actions[0].line.start.y"]]);
      // A bad later step fails the trajectory before any after-image is sent.
      let sent = 0;
      const missing = await failureOf(async () => {
        const steps = [step(0, line(1, 1, 2, 2)), step(1, { kind: undefined, color: "", space: 0 })];
        for await (const _ of client.renderTrajectory({ baseImage: base, steps, outputFormat: 0 })) sent++;
      });
      assert.equal(missing.code, "INVALID_ARGUMENT");
      assert.equal(missing.fields[0], "steps[1].action.kind");
      assert.equal(sent, 0);
    });

    it("an unknown digest → NOT_FOUND, a malformed one → INVALID_ARGUMENT", async () => {
      const unknown = await failureOf(() =>
        client.render({ image: { source: { $case: "digest", value: `sha256:${"0".repeat(64)}` } }, actions: [], outputFormat: 0 }),
      );
      assert.deepEqual([unknown.code, unknown.fields], ["NOT_FOUND", ["image.digest"]]);
      const malformed = await failureOf(() => client.render({ image: { source: { $case: "digest", value: "md5:abc" } }, actions: [], outputFormat: 0 }));
      assert.deepEqual([malformed.code, malformed.fields], ["INVALID_ARGUMENT", ["image.digest"]]);
    });

    it("a missing image → INVALID_ARGUMENT", async () => {
      const f = await failureOf(() => client.render({ image: undefined, actions: [], outputFormat: 0 }));
      assert.deepEqual([f.code, f.fields], ["INVALID_ARGUMENT", ["image"]]);
    });

    it("the service keeps serving after all of that", async () => {
      const ok = await client.putImage({ image: { source: { $case: "encoded", value: chart } } });
      assert.ok(ok.image!.digest);
      assert.equal(renderer.child.exitCode, null);
    });
  });
});
