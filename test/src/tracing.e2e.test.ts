// Tracing from the first day: a caller's W3C trace context continues in the service, and spans
// reach an OTLP endpoint when OTEL_EXPORTER_OTLP_ENDPOINT is set. Health probes make no spans.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { ImageFormat, RendererServiceDefinition } from "@sketchvl/contract";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import { Metadata } from "nice-grpc";
import sharp from "sharp";
import { startOtlpReceiver } from "./support/otlp";
import { startService } from "./support/mesh";

describe("tracing", () => {
  it("continues the caller's trace in the renderer and exports the server span over OTLP", async () => {
    const receiver = await startOtlpReceiver();
    const renderer = await startService("renderer", {
      args: ["--log-level", "trace"],
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_BSP_SCHEDULE_DELAY: "100",
      },
    });
    const channel = createMeshChannel(renderer.address);
    try {
      const client = createMeshClient(RendererServiceDefinition, channel);
      const traceId = randomBytes(16).toString("hex");
      const parentSpanId = randomBytes(8).toString("hex");
      const chart = await sharp({ create: { width: 200, height: 100, channels: 3, background: "#fff" } })
        .png()
        .toBuffer();
      await client.render(
        { image: { source: { $case: "encoded", value: chart } }, actions: [], outputFormat: ImageFormat.IMAGE_FORMAT_PNG },
        { metadata: Metadata({ traceparent: `00-${traceId}-${parentSpanId}-01` }) },
      );
      const spans = await receiver.waitFor((all) => all.some((s) => s.traceId === traceId));
      const server = spans.find((s) => s.traceId === traceId)!;
      assert.equal(server.name, "grpc.sketchvl.v1.RendererService/Render");
      assert.equal(server.parentSpanId, parentSpanId, "the server span is a child of the caller's span");
      assert.equal(server.service, "sketchvl-renderer");
      assert.equal(server.kind, 2, "SERVER");
      assert.ok(!spans.some((s) => s.name.includes("Health")), "health probes make no spans");
      // Logs written inside the call carry its trace: logs and traces join.
      const callLog = renderer.logs.map((l) => JSON.parse(l)).find((l) => l.msg === "call" && l.method?.endsWith("/Render"));
      assert.equal(callLog?.trace_id, traceId);
      assert.equal(callLog?.span_id, server.spanId);
    } finally {
      channel.close();
      await renderer.stop();
      await receiver.close();
    }
  });
});
