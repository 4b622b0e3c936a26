// The bad-input battery: every public method of the renderer, PRM, trainer and reward services,
// started as processes, gets hostile input — undecodable bytes, an empty request, a 1 ms deadline,
// a message over the limit — and the methods that take images get garbage, truncated, bomb-sized
// and SVG images and absurd steps. Each must answer with a status that names the problem (never
// INTERNAL or UNKNOWN), fast, and every service must still serve afterwards with its memory bounded.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import {
  FailureKind,
  PrmServiceDefinition,
  RendererServiceDefinition,
  RewardServiceDefinition,
  ScoreGroupRequest,
  TrainerServiceDefinition,
} from "@sketchvl/contract";
import type { RunningProcess } from "@sketchvl/launcher";
import { createMeshChannel, createMeshClient } from "@sketchvl/runtime";
import type { ChartGroup } from "./support/chartworldGroup";
import { failureOf } from "./support/mesh";
import { type RewardMesh, startRewardMesh } from "./support/rewardMesh";

/** Codes that name a problem with the input or the service's state; INTERNAL and UNKNOWN would be our bugs. */
const ACCEPTABLE = new Set(["OK", "INVALID_ARGUMENT", "NOT_FOUND", "FAILED_PRECONDITION", "RESOURCE_EXHAUSTED", "OUT_OF_RANGE", "DEADLINE_EXCEEDED"]);
const FAST_MS = 5_000;

const rssMiB = (p: RunningProcess) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.child.pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};

/** A PNG signature and IHDR claiming `width`×`height`, with no pixel data: a bomb's first bytes. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const type = Buffer.from("IHDR");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(ihdr.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([type, ihdr])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), length, type, ihdr, crc]);
}

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

type Definition = { fullName: string; methods: Record<string, { name: string; requestStream: boolean; responseStream: boolean }> };

/** One call with raw bytes as the request: what a broken or hostile client can send. */
function rawCall(address: string, path: string, bytes: Buffer, streaming: { request: boolean; response: boolean }, deadlineMs = 10_000): Promise<string> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), { "grpc.max_send_message_length": -1 });
  const deadline = Date.now() + deadlineMs;
  const identity = (b: Buffer) => b;
  return new Promise<string>((resolve) => {
    const done = (err: grpc.ServiceError | null) => {
      client.close();
      resolve(err ? grpc.status[err.code] : "OK");
    };
    if (!streaming.request && !streaming.response) {
      client.makeUnaryRequest(path, identity, identity, bytes, { deadline }, (err) => done(err));
    } else if (!streaming.request) {
      const call = client.makeServerStreamRequest(path, identity, identity, bytes, { deadline });
      call.on("data", () => {});
      call.on("error", (err: grpc.ServiceError) => done(err));
      call.on("end", () => done(null));
    } else {
      const call = streaming.response
        ? client.makeBidiStreamRequest(path, identity, identity, { deadline })
        : client.makeClientStreamRequest(path, identity, identity, { deadline }, (err) => done(err));
      if (streaming.response) {
        call.on("data", () => {});
        call.on("error", (err: grpc.ServiceError) => done(err));
        call.on("end", () => done(null));
      }
      call.write(bytes);
      call.end();
    }
  });
}

describe("the bad-input battery, over every public method", { timeout: 300_000 }, () => {
  let mesh: RewardMesh;
  let group: ChartGroup;
  let services: Array<{ name: string; process: RunningProcess; definition: Definition }>;
  const rssBefore = new Map<string, number>();

  before(async () => {
    mesh = await startRewardMesh();
    group = mesh.group;
    services = [
      { name: "renderer", process: mesh.renderer, definition: RendererServiceDefinition as unknown as Definition },
      { name: "prm", process: mesh.prm, definition: PrmServiceDefinition as unknown as Definition },
      { name: "trainer", process: mesh.trainer, definition: TrainerServiceDefinition as unknown as Definition },
      { name: "reward", process: mesh.reward, definition: RewardServiceDefinition as unknown as Definition },
    ];
    for (const s of services) rssBefore.set(s.name, rssMiB(s.process));
  });
  after(async () => {
    await mesh?.stop();
  });

  const cases: Array<[string, () => Buffer, number?]> = [
    ["undecodable bytes", () => Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x80])],
    ["truncated message", () => Buffer.from([0x0a, 0x40, 0x01, 0x02])],
    ["100,000-deep nesting", () => Buffer.concat(Array.from({ length: 100_000 }, () => Buffer.from([0x0a, 0x80, 0x80, 0x01])))],
    ["an empty request", () => Buffer.alloc(0)],
    ["a 1 ms deadline", () => Buffer.alloc(0), 1],
  ];
  // The message limit is the server's, not a method's: once per service.
  const oversize = () => Buffer.concat([Buffer.from([0x0a, 0x80, 0x80, 0x80, 0x22]), Buffer.alloc(68 * 1024 * 1024)]);

  it("every method answers every hostile request with a status that names it, fast", async () => {
    const seen: string[] = [];
    for (const s of services) {
      for (const [method, m] of Object.entries(s.definition.methods)) {
        for (const [name, bytes, deadline] of cases) {
          const started = performance.now();
          const code = await rawCall(
            s.process.address,
            `/${s.definition.fullName}/${m.name}`,
            bytes(),
            { request: m.requestStream, response: m.responseStream },
            deadline,
          );
          const ms = performance.now() - started;
          seen.push(`${s.name}.${method} ${name}: ${code}`);
          assert.ok(ACCEPTABLE.has(code), `${s.name}.${method} answered ${name} with ${code}`);
          if (name !== "an empty request") assert.notEqual(code, "OK", `${s.name}.${method} accepted ${name}`);
          assert.ok(ms < FAST_MS, `${s.name}.${method} took ${ms.toFixed(0)} ms to answer ${name}`);
        }
      }
      const [first] = Object.values(s.definition.methods);
      const code = await rawCall(s.process.address, `/${s.definition.fullName}/${first.name}`, oversize(), {
        request: first.requestStream,
        response: first.responseStream,
      });
      assert.equal(code, "RESOURCE_EXHAUSTED", `${s.name}: a 68 MiB message`);
    }
    const methods = services.reduce((a, s) => a + Object.keys(s.definition.methods).length, 0);
    assert.equal(seen.length, methods * cases.length);
  });

  it("images: garbage, truncated, bomb-sized and SVG are refused as INVALID_ARGUMENT by each service that takes one", async () => {
    const png = group.png;
    const bomb = pngHeaderOnly(100_000, 100_000);
    const svg = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="99999" height="99999"><rect width="10" height="10"/></svg>');
    const images: Array<[string, Buffer]> = [
      ["garbage", Buffer.from("not an image at all")],
      ["truncated PNG", png.subarray(0, png.length >> 1)],
      [`a decompression bomb (${bomb.length} bytes claiming 10 gigapixels)`, bomb],
      ["SVG / XML", svg],
    ];
    const renderer = createMeshClient(RendererServiceDefinition, createMeshChannel(mesh.renderer.address));
    const prm = createMeshClient(PrmServiceDefinition, createMeshChannel(mesh.prm.address));
    for (const [name, bytes] of images) {
      const image = { source: { $case: "encoded" as const, value: bytes } };
      for (const [service, call] of [
        ["renderer.PutImage", () => renderer.putImage({ image })],
        ["prm.StoreImage", () => prm.storeImage({ image })],
        ["reward.ScoreGroup", () => mesh.client.scoreGroup(mesh.request({ image }))],
      ] as const) {
        const started = performance.now();
        const f = await failureOf(call);
        assert.equal(f.code, "INVALID_ARGUMENT", `${service} with ${name}: ${f.code} ${f.message}`);
        assert.ok(
          f.fields.some((x) => x.startsWith("image")),
          `${service} with ${name} names the image field: ${f.fields}`,
        );
        assert.ok(performance.now() - started < FAST_MS, `${service} with ${name} was slow`);
      }
    }
  });

  it("absurd steps: NaN, infinite and huge coordinates and 10,000 steps get a clear answer per response, not a crash", async () => {
    const actions = ["NaN,1,2,3", "Infinity,1,2,3", "1e308,1,2,3", "-1e308,5,5,5"].map(
      (c, i) => `Intent${i + 1}: Box it\nAction${i + 1}: #Draw Box, [${c}], Red`,
    );
    const manySteps = Array.from({ length: 10_000 }, (_, i) => `Intent${i + 1}: Point\nAction${i + 1}: #Draw Point, [${i % 1000},${i % 1000}], Red`).join("\n");
    const request = ScoreGroupRequest.fromPartial({
      ...mesh.request(),
      responses: [
        { id: "absurd", text: `${actions.join("\n")}\nAnswer: ${group.answer}` },
        { id: "many", text: `${manySteps}\nAnswer: ${group.answer}` },
        { id: "expert", text: group.responses.expert },
      ],
    });
    const started = performance.now();
    const out = (await mesh.client.scoreGroup(request)).group!;
    const [absurd, many, expert] = out.responses;
    // Each absurd coordinate is a format error of its own step, naming the coordinate; none is drawn.
    assert.equal(absurd.steps.length, 0);
    assert.deepEqual(
      absurd.formatErrors.map((e) => e.field),
      Array(4).fill("action.coordinates[0]"),
    );
    assert.equal(absurd.failureKind, FailureKind.FAILURE_KIND_FORMAT);
    // 10,000 steps are far over the response-length limit: masked as invalid input naming the limit, not parsed.
    assert.equal(many.maskSample, true);
    assert.equal(many.failureKind, FailureKind.FAILURE_KIND_INVALID_INPUT);
    assert.match(many.failureReason, /responses\[1\]\.text: \d+ characters; the limit is \d+/);
    assert.equal(expert.maskSample, false, "the good response in the same group still scores");
    assert.ok(performance.now() - started < 60_000);
  });

  it("afterwards every service still serves, and its memory is bounded (RSS before / after printed)", async () => {
    const got = (await mesh.client.scoreGroup(mesh.request())).group!;
    assert.equal(got.responses[0].maskSample, false);
    const rows = services.map((s) => {
      const [before, now] = [rssBefore.get(s.name)!, rssMiB(s.process)];
      assert.ok(now < before + 512, `${s.name}: ${before.toFixed(0)} → ${now.toFixed(0)} MiB`);
      return `${s.name} ${before.toFixed(0)} → ${now.toFixed(0)} MiB`;
    });
    console.log(`RSS before / after the battery: ${rows.join(", ")}`);
  });
});
