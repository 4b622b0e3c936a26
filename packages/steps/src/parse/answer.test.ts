import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findAnswer } from "./answer";

const answerOf = (text: string) => findAnswer(text)?.answer ?? null;

describe("findAnswer", () => {
  it("reads Answer lines and answer tags, the last one winning, the tag over a line", () => {
    assert.equal(answerOf("Intent1: x\nAction1: #Draw Box, [1,2,3,4], Red\nAnswer: 2012"), "2012");
    assert.equal(answerOf("Answer: first\nmore\nAnswer: second"), "second");
    assert.equal(answerOf("thinking <answer> 12.5 </answer>"), "12.5");
    assert.equal(answerOf("<answer>a</answer> then <answer>b</answer>"), "b");
    assert.equal(answerOf("<answer>tag wins</answer>\nAnswer: line"), "tag wins");
    assert.equal(answerOf("Final answer: 3"), "3");
    assert.equal(answerOf("no answer here"), null);
    // After the image marker of a multi-turn rollout (the policy service's text).
    assert.equal(answerOf("Action1: #Draw Box, [1,2,3,4], Red\n<image>Answer: Company A"), "Company A");
    assert.equal(answerOf("Action1: #Draw Box, [1,2,3,4], Red\n<|vision_start|><|image_pad|><|vision_end|>Answer: 7"), "7");
    assert.equal(answerOf(""), null);
  });

  it("leaves emphasis, quotes and a sentence-final period out of the answer and its span", () => {
    for (const [text, expected] of [
      ["answer: Company A.", "Company A"],
      ["**Answer:** 45%", "45%"],
      ['Answer: "Brazil"', "Brazil"],
      ["Answer: **42**.", "42"],
      ["<answer>**Germany**</answer>", "Germany"],
    ]) {
      const found = findAnswer(text)!;
      assert.equal(found.answer, expected, text);
      assert.equal(text.slice(found.span.start, found.span.end), expected, `span of ${text}`);
    }
  });
});
