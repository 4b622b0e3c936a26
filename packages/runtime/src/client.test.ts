import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ParseStepsResponse, RendererServiceDefinition, TrainerServiceDefinition } from "@sketchvl/contract";
import { createServer, type Server, ServerError, Status } from "nice-grpc";
import { createMeshChannel, createMeshClient } from "./client";

// Every method of `definition`, UNIMPLEMENTED unless given.
function implement(definition: { methods: object }, given: Record<string, unknown>): never {
  const unimplemented = async () => {
    throw new ServerError(Status.UNIMPLEMENTED, "not in this test");
  };
  return Object.fromEntries(Object.keys(definition.methods).map((name) => [name, given[name] ?? unimplemented])) as never;
}

// A replica that refuses its first calls with UNAVAILABLE, as one that is draining or just lost.
describe("mesh channels retry pure calls on UNAVAILABLE", () => {
  let server: Server;
  let address: string;
  const calls = { parse: 0, advantages: 0 };
  let refuseNext = 0;
  const refuse = () => {
    if (refuseNext > 0) {
      refuseNext--;
      throw new ServerError(Status.UNAVAILABLE, "draining");
    }
  };

  before(async () => {
    server = createServer();
    server.add(
      RendererServiceDefinition,
      implement(RendererServiceDefinition, {
        parseSteps: async () => {
          calls.parse++;
          refuse();
          return ParseStepsResponse.fromPartial({});
        },
      }),
    );
    server.add(
      TrainerServiceDefinition,
      implement(TrainerServiceDefinition, {
        computeAdvantages: async () => {
          calls.advantages++;
          refuse();
          return {};
        },
      }),
    );
    address = `127.0.0.1:${await server.listen("127.0.0.1:0")}`;
  });
  after(() => server.forceShutdown());

  it("a renderer call refused twice is answered on the third attempt", async () => {
    const channel = createMeshChannel(address);
    const renderer = createMeshClient(RendererServiceDefinition, channel);
    refuseNext = 2;
    calls.parse = 0;
    await renderer.parseSteps({ text: "Answer: 1", format: 0 });
    assert.equal(calls.parse, 3);
    channel.close();
  });

  it("retries a large request too (a PRM call carries its after-images)", async () => {
    const channel = createMeshChannel(address);
    const renderer = createMeshClient(RendererServiceDefinition, channel);
    refuseNext = 1;
    calls.parse = 0;
    await renderer.parseSteps({ text: "x".repeat(2 * 1024 * 1024), format: 0 });
    assert.equal(calls.parse, 2);
    channel.close();
  });

  it("gives up after three attempts", async () => {
    const channel = createMeshChannel(address);
    const renderer = createMeshClient(RendererServiceDefinition, channel);
    refuseNext = 5;
    calls.parse = 0;
    await assert.rejects(renderer.parseSteps({ text: "Answer: 1", format: 0 }));
    assert.equal(calls.parse, 3);
    refuseNext = 0;
    channel.close();
  });

  it("a trainer call (state: the KL window) is not retried", async () => {
    const channel = createMeshChannel(address);
    const trainer = createMeshClient(TrainerServiceDefinition, channel);
    refuseNext = 1;
    calls.advantages = 0;
    await assert.rejects(trainer.computeAdvantages({}));
    assert.equal(calls.advantages, 1);
    refuseNext = 0;
    channel.close();
  });
});
