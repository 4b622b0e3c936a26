// What an operator relies on: bad config fails fast and readably, overload is refused fast,
// SIGTERM drains and exits within the grace period.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { CoordinateSpace, ImageFormat, RendererServiceDefinition } from "@sketchvl/contract";
import { entryPoint } from "@sketchvl/launcher";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import { createChannel, createClient } from "nice-grpc";
import { HealthDefinition } from "nice-grpc-server-health";
import sharp from "sharp";
import { describeError, startService } from "./support/mesh";

describe("operations", () => {
  it("bad config: one readable line, non-zero exit, nothing listening", () => {
    const run = spawnSync(process.execPath, [entryPoint("renderer"), "--port", "99999"], { encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 2);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
    assert.match(run.stderr, /renderer: configuration error: invalid port \(--port="99999"\)/);
    const env = spawnSync(process.execPath, [entryPoint("renderer")], {
      encoding: "utf8", timeout: 20_000, env: { ...process.env, RENDERER_MAX_PIXELS: "-5" },
    });
    assert.equal(env.status, 2);
    assert.match(env.stderr, /invalid maxPixels \(RENDERER_MAX_PIXELS="-5"\)/);
  });

  it("--help lists every option with its variable and default", () => {
    const run = spawnSync(process.execPath, [entryPoint("renderer"), "--help"], { encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 0);
    assert.match(run.stdout, /--max-pixels {2}RENDERER_MAX_PIXELS {2}40000000/);
  });

  it("overload: calls beyond max-in-flight are rejected at once with RESOURCE_EXHAUSTED, the rest succeed", async () => {
    const renderer = await startService("renderer", { args: ["--log-level", "warn", "--max-in-flight", "2"] });
    const channel = createMeshChannel(renderer.address);
    try {
      const client = createMeshClient(RendererServiceDefinition, channel);
      const chart = await sharp({ create: { width: 2000, height: 1400, channels: 3, background: "#fff" } }).png().toBuffer();
      const actions = Array.from({ length: 8 }, (_, i) => ({
        kind: { $case: "circle" as const, value: { center: { x: 100 + i * 100, y: 500 }, radius: 50 } },
        color: "green",
        space: CoordinateSpace.COORDINATE_SPACE_NORM_1000,
      }));
      const started = performance.now();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 24 }, () =>
          client.render({ image: { source: { $case: "encoded", value: chart } }, actions, outputFormat: ImageFormat.IMAGE_FORMAT_PNG }).then(
            () => performance.now() - started,
          ),
        ),
      );
      const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected").map((o) => describeError(o.reason));
      const served = outcomes.filter((o) => o.status === "fulfilled");
      assert.ok(rejected.length > 0, "some calls should be refused");
      assert.ok(served.length >= 2, "calls within the limit are served");
      for (const r of rejected) {
        assert.equal(r.code, "RESOURCE_EXHAUSTED");
        assert.match(r.message, /limit 2/);
      }
      // The server is still healthy and serving afterwards.
      const ok = await client.putImage({ image: { source: { $case: "encoded", value: chart } } });
      assert.ok(ok.image?.digest);
    } finally {
      channel.close();
      await renderer.stop();
    }
  });

  it("SIGTERM: readiness turns NOT_SERVING, in-flight work finishes, the process exits 0 within the grace period", async () => {
    const renderer = await startService("renderer", { args: ["--log-level", "info", "--shutdown-grace-ms", "3000"] });
    const channel = createMeshChannel(renderer.address);
    const healthChannel = createChannel(renderer.address);
    try {
      const client = createMeshClient(RendererServiceDefinition, channel);
      const health = createClient(HealthDefinition, healthChannel);
      // A Watch stream is open, as a mesh sidecar would hold one: it must not block shutdown.
      const watched: number[] = [];
      const watching = (async () => {
        for await (const r of health.watch({ service: "sketchvl.v1.RendererService" })) watched.push(r.status);
      })().catch(() => undefined);
      // A trajectory that is surely in flight: its first after-image has arrived when SIGTERM is sent.
      const chart = await sharp({ create: { width: 1000, height: 700, channels: 3, background: "#fff" } }).png().toBuffer();
      const steps = Array.from({ length: 30 }, (_, i) => ({
        index: i, turn: 0, intent: "", deduction: "", span: undefined, intentSpan: undefined, actionSpan: undefined,
        action: { kind: { $case: "circle" as const, value: { center: { x: 500, y: 500 }, radius: 10 + i * 10 } }, color: "red", space: CoordinateSpace.COORDINATE_SPACE_NORM_1000 },
      }));
      const stream = client.renderTrajectory({ baseImage: { source: { $case: "encoded", value: chart } }, steps, outputFormat: ImageFormat.IMAGE_FORMAT_PNG });
      const iterator = stream[Symbol.asyncIterator]();
      let received = (await iterator.next()).done ? 0 : 1;
      const t0 = performance.now();
      const exited = renderer.stop();
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) received++;
      const code = await exited;
      const elapsed = performance.now() - t0;
      assert.equal(code, 0);
      assert.ok(elapsed < 3000, `exited after ${elapsed} ms`);
      assert.equal(received, 30, "the trajectory in flight at SIGTERM was completed");
      await watching;
      assert.equal(watched[0], 1, "SERVING first");
      assert.equal(watched.at(-1), 2, "then NOT_SERVING before the stream ended");
      assert.ok(renderer.logs.some((l) => l.includes('"msg":"draining"')));
      const lines = renderer.logs.filter((l) => l.startsWith("{"));
      for (const l of lines) JSON.parse(l); // every log line is JSON
    } finally {
      channel.close();
      healthChannel.close();
    }
  });
});
