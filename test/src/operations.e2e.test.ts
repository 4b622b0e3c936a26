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
import { failureOf, startService } from "./support/mesh";

describe("operations", () => {
  it("bad config: one readable line, non-zero exit, nothing listening", () => {
    const run = spawnSync(process.execPath, [entryPoint("renderer"), "--port", "99999"], { encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 2);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
    assert.match(run.stderr, /renderer: configuration error: invalid port \(--port="99999"\)/);
    const env = spawnSync(process.execPath, [entryPoint("renderer")], {
      encoding: "utf8",
      timeout: 20_000,
      env: { ...process.env, RENDERER_MAX_PIXELS: "-5" },
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
      const chart = await sharp({ create: { width: 1500, height: 1000, channels: 3, background: "#fff" } })
        .png()
        .toBuffer();
      const steps = Array.from({ length: 40 }, (_, i) => ({
        index: i,
        turn: 0,
        intent: "",
        deduction: "",
        span: undefined,
        intentSpan: undefined,
        actionSpan: undefined,
        action: {
          kind: { $case: "circle" as const, value: { center: { x: 500, y: 500 }, radius: 10 + i * 10 } },
          color: "green",
          space: CoordinateSpace.COORDINATE_SPACE_NORM_1000,
        },
      }));
      // Two long trajectories hold both slots: each has sent its first after-image, so it is surely running.
      const streams = [0, 1].map(() =>
        client
          .renderTrajectory({ baseImage: { source: { $case: "encoded", value: chart } }, steps, outputFormat: ImageFormat.IMAGE_FORMAT_PNG })
          [Symbol.asyncIterator](),
      );
      await Promise.all(streams.map((s) => s.next()));
      const tiny = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#fff" } })
        .png()
        .toBuffer();
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const f = await failureOf(() => client.putImage({ image: { source: { $case: "encoded", value: tiny } } }));
        const ms = performance.now() - t0;
        assert.deepEqual([f.code, f.reason], ["RESOURCE_EXHAUSTED", "OVERLOADED"]);
        assert.match(f.message, /limit 2/);
        assert.ok(ms < 250, `refused in ${ms.toFixed(0)} ms, not queued`);
      }
      // The admitted work completes in full, and the server serves again once it is done.
      for (const s of streams) {
        let received = 1;
        while (!(await s.next()).done) received++;
        assert.equal(received, steps.length);
      }
      const ok = await client.putImage({ image: { source: { $case: "encoded", value: tiny } } });
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
      const chart = await sharp({ create: { width: 1000, height: 700, channels: 3, background: "#fff" } })
        .png()
        .toBuffer();
      const steps = Array.from({ length: 30 }, (_, i) => ({
        index: i,
        turn: 0,
        intent: "",
        deduction: "",
        span: undefined,
        intentSpan: undefined,
        actionSpan: undefined,
        action: {
          kind: { $case: "circle" as const, value: { center: { x: 500, y: 500 }, radius: 10 + i * 10 } },
          color: "red",
          space: CoordinateSpace.COORDINATE_SPACE_NORM_1000,
        },
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
