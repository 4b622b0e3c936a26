import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PrmServiceDefinition, ScoreStepsRequest, type StepToScore } from "@sketchvl/contract";
import { withSharedEncoding } from "./messageEncoding";

const step = (id: string, bytes: number): StepToScore => ({
  id,
  intent: "Box the FDI legend entry",
  action: undefined,
  before: { source: { $case: "digest", value: "sha256:abc" } },
  after: {
    source: {
      $case: "patch",
      value: { base: "sha256:abc", regions: [{ left: 1, top: 2, pixels: { width: 1, height: bytes, channels: 3, pixels: Buffer.alloc(3 * bytes, 7) } }] },
    },
  },
  reference: undefined,
});
const request = (n: number, bytes: number) => ({ model: "finepr", steps: Array.from({ length: n }, (_, i) => step(String(i), bytes)) });
const encodeOf = () => withSharedEncoding(PrmServiceDefinition).methods.scoreSteps.requestType.encode;

describe("withSharedEncoding", () => {
  it("gives the bytes ts-proto gives, message after message, however their sizes vary", () => {
    const encode = encodeOf();
    for (const [n, bytes] of [
      [40, 9000],
      [1, 10],
      [200, 300],
      [0, 0],
      [3, 70_000],
    ]) {
      const message = request(n, bytes);
      const ours = encode(message).finish();
      assert.deepEqual(Buffer.from(ours), Buffer.from(ScoreStepsRequest.encode(message).finish()), `${n} steps of ${bytes} bytes`);
      assert.deepEqual(ScoreStepsRequest.decode(ours), ScoreStepsRequest.fromPartial(message));
    }
  });

  it("returns bytes of their own: the next message does not overwrite them", () => {
    const encode = encodeOf();
    const first = encode(request(2, 100)).finish();
    const copy = Buffer.from(first);
    encode(request(5, 5000)).finish();
    assert.deepEqual(Buffer.from(first), copy);
  });

  it("starts clean after an encode that throws half-way", () => {
    const encode = encodeOf();
    const broken = request(3, 100);
    const region = (broken.steps[2].after!.source as { value: { regions: { left: number }[] } }).value.regions[0];
    region.left = 0.5; // not a uint32: the writer throws mid-message, after two steps are in it
    assert.throws(() => encode(broken));
    const message = request(2, 100);
    assert.deepEqual(Buffer.from(encode(message).finish()), Buffer.from(ScoreStepsRequest.encode(message).finish()));
  });

  it("leaves definitions nice-grpc normalized (no fullName) as they are", () => {
    const normalized = { scoreSteps: { path: "/x", requestSerialize: () => new Uint8Array() } };
    assert.equal(withSharedEncoding(normalized), normalized);
  });
});
