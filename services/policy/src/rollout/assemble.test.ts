import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FinishReason } from "@sketchvl/contract";
import { codePoints, RolloutRecord, shiftErrors } from "./assemble";

describe("RolloutRecord", () => {
  it("tiles turns and image markers; offsets in code points; markers out of the loss", () => {
    const record = new RolloutRecord(2, [1, 9]);
    const first = record.addTurn({ tokens: [10, 11, 3], logprobs: [-0.5, -0.25, -0.1], pieces: ["Box 😀", " red\n", ""], stop: "eot" }, "sha256:a");
    record.addImageMarker({ id: 4, text: "<image>" });
    const second = record.addTurn({ tokens: [12, 2], logprobs: [-1, -0.2], pieces: ["Answer: 7", ""], stop: "eos" }, "sha256:b");
    record.finish(FinishReason.FINISH_REASON_STOP);
    const r = record.toRollout("m", "3");
    assert.equal(r.text, "Box 😀 red\n<image>Answer: 7");
    assert.deepEqual(r.tokenIds, [10, 11, 3, 4, 12, 2]);
    assert.deepEqual(r.tokenOffsets, [0, 5, 10, 10, 17, 26], "😀 is one code point");
    assert.deepEqual(r.lossMask, [true, true, true, false, true, true]);
    assert.deepEqual(r.logprobs, [-0.5, -0.25, -0.1, 0, -1, -0.2]);
    assert.deepEqual(r.imageTokenSpans, [{ start: 3, end: 4 }]);
    assert.deepEqual([first.turn.tokens, first.turn.span, first.textStart], [{ start: 0, end: 3 }, { start: 0, end: 10 }, 0]);
    assert.deepEqual([second.turn.tokens, second.turn.span, second.turn.text], [{ start: 4, end: 6 }, { start: 17, end: 26 }, "Answer: 7"]);
    assert.deepEqual([r.index, r.model, r.version, r.promptTokenIds, r.finishReason], [2, "m", "3", [1, 9], FinishReason.FINISH_REASON_STOP]);
  });

  it("format errors of a turn move to the rollout's text", () => {
    assert.deepEqual(shiftErrors([{ stepIndex: 0, span: { start: 2, end: 5 }, field: "action", message: "x" }], 17)[0].span, { start: 19, end: 22 });
    assert.equal(codePoints("a😀b"), 3);
  });
});
