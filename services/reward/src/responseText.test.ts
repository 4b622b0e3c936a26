import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jsonWithFloats } from "./httpBody";
import { responseOfQuery } from "./openrlhfQuery";
import { normalizeAnswer, textForParsing } from "./responseText";

describe("response text", () => {
  it("blanks chat-template tokens without moving a character; image markers stay", () => {
    const text =
      "Action1: #Draw Box, [1,2,3,4], Red<|im_end|>\n<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>Answer: 2022<|im_end|><|endoftext|>";
    const out = textForParsing(text);
    assert.equal(out.length, text.length);
    assert.equal([...out].length, [...text].length);
    assert.doesNotMatch(out, /im_end|im_start|endoftext|user/);
    assert.match(out, /<\|vision_start\|><\|image_pad\|><\|vision_end\|>Answer: 2022 +$/);
    assert.equal(textForParsing("Answer: 2022"), "Answer: 2022");
    for (const t of ["2022<|im_end|>", "2022<|eot_id|>", "2022</s>", "2022<end_of_turn>", "2022<｜end▁of▁sentence｜>"])
      assert.equal(normalizeAnswer(t), "2022", t);
  });

  it("finds the response in an OpenRLHF query: padding, expanded image pads, example turns in the prompt", () => {
    const prompt =
      "<|im_start|>system\nExample:<|im_end|>\n<|im_start|>assistant\n#Draw Box, [1,2,3,4]\nAnswer: 7<|im_end|>\n<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>Q?<|im_end|>\n<|im_start|>assistant\n";
    const response = "Intent1: look\nAnswer: 3<|im_end|>";
    assert.equal(responseOfQuery(prompt + response, prompt), response);
    const padded = "<|endoftext|>".repeat(5) + prompt.replace("<|image_pad|>", "<|image_pad|>".repeat(100)) + response + "<|endoftext|>".repeat(2);
    assert.equal(responseOfQuery(padded, prompt), response);
    // Not the prefix (another system prompt, re-tokenized text): located by the generation prompt,
    // counted as often as the prompt has it, so a multi-turn response keeps its own later turns.
    const multiTurn = "Step one<|im_end|>\n<|im_start|>user\n<image><|im_end|>\n<|im_start|>assistant\nAnswer: 3";
    assert.equal(responseOfQuery(prompt.replace("Example:", "Example: ") + multiTurn, prompt), multiTurn);
    assert.equal(responseOfQuery("no prompt here", prompt), undefined);
    assert.equal(responseOfQuery("<s>Answer: 1</s>", ""), "Answer: 1");
    const plain = "Question: what year?\nLet us draw.\n";
    assert.equal(responseOfQuery(`<pad><pad>${plain}Answer: 1`, plain), "Answer: 1");
  });

  it("writes every number as a float", () => {
    assert.equal(jsonWithFloats({ rewards: [1, 0, 0.5, -2], logs: { ok: [1] }, s: "x" }), '{"rewards":[1.0,0.0,0.5,-2.0],"logs":{"ok":[1.0]},"s":"x"}');
    assert.deepEqual(JSON.parse(jsonWithFloats({ a: [1e21, 1e-7] })), { a: [1e21, 1e-7] });
    assert.throws(() => jsonWithFloats([Number.NaN]), RangeError);
  });
});
