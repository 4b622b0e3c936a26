import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import { RendererServiceDefinition } from "@sketchvl/contract";
import { createClient, Status } from "nice-grpc";
import { HealthDefinition } from "nice-grpc-server-health";
import { createMeshChannel, createMeshClient } from "./client";
import { loadConfig, serverOptions } from "./config";
import { sentReason } from "./grpcErrors";
import { type MeshServer, startServer } from "./server";

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

// A replica listens (for liveness) before it has loaded its models, and a DNS name can list it
// then (Docker's network aliases do). A call that reaches it must be retryable — UNAVAILABLE
// STARTING, which mesh channels retry on another replica — not a precondition failure.
describe("a service that is still starting", () => {
  let started: Promise<MeshServer>;
  let prepared: (() => void) | undefined;
  let address: string;

  before(async () => {
    const port = await freePort();
    address = `127.0.0.1:${port}`;
    const config = loadConfig("starting", serverOptions(0), ["--host", "127.0.0.1", "--port", String(port), "--log-level", "silent"], {});
    const unused = Object.fromEntries(Object.keys(RendererServiceDefinition.methods).map((m) => [m, () => assert.fail(`${m} called`)]));
    const implementation = { ...unused, parseSteps: async () => ({ parsed: undefined }) };
    started = startServer({
      name: "starting",
      config,
      services: [{ definition: RendererServiceDefinition, implementation }],
      prepare: () =>
        new Promise<void>((resolve) => {
          prepared = resolve;
        }),
    });
    while (!prepared) await new Promise((r) => setTimeout(r, 5));
  });
  // The test may be filtered out (--test-name-pattern) while this hook still runs: release the
  // prepare step so shutdown does not wait forever for a start that never finishes.
  after(async () => {
    prepared?.();
    await (await started).shutdown();
  });

  it("answers UNAVAILABLE STARTING until prepared, health all along, then serves", async () => {
    const channel = createMeshChannel(address, { options: { "grpc.enable_retries": 0 } });
    const renderer = createMeshClient(RendererServiceDefinition, channel);
    const health = createClient(HealthDefinition, channel);
    const early = await renderer.parseSteps({ text: "", format: 0 }).then(
      () => assert.fail("served before it was ready"),
      (err) => err,
    );
    assert.equal(early.code, Status.UNAVAILABLE);
    assert.equal(sentReason(early), "STARTING");
    assert.ok(await health.check({ service: "" }), "liveness answers while starting");
    prepared!();
    await started;
    await renderer.parseSteps({ text: "", format: 0 });
    channel.close();
  });
});
