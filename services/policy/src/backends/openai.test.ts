import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { turnFromResponse } from "./openai";

const entry = (token: string, bytes: number[] | null, logprob = -0.1) => ({ token, logprob, bytes });

describe("turnFromResponse", () => {
  it("token ids from token_id:<n>, texts from bytes — a character split across tokens goes with the token that completes it", () => {
    const e = [...Buffer.from("é", "utf8")]; // two bytes
    const out = turnFromResponse({
      choices: [
        {
          message: { content: "Answer: é!" },
          logprobs: { content: [entry("token_id:11", [...Buffer.from("Answer:")]), entry("token_id:12", [32, e[0]]), entry("token_id:13", [e[1], 33])] },
          finish_reason: "stop",
        },
      ],
    });
    assert.deepEqual(out.tokens, [11, 12, 13]);
    assert.deepEqual(out.pieces, ["Answer:", " ", "é!"]);
    assert.equal(out.pieces.join(""), "Answer: é!");
    assert.equal(out.stop, "eot");
  });

  it("token strings when the server sends no ids; length when the budget ran out", () => {
    const out = turnFromResponse({
      choices: [{ message: { content: "Intent1" }, logprobs: { content: [entry("Int", null), entry("ent1", null)] }, finish_reason: "length" }],
    });
    assert.deepEqual([out.tokens, out.pieces, out.stop], [[0, 0], ["Int", "ent1"], "length"]);
  });

  it("an answer without logprobs is the endpoint's failure", () => {
    assert.throws(() => turnFromResponse({ choices: [{ message: { content: "x" }, logprobs: null }] }), /without logprobs/);
    assert.throws(() => turnFromResponse({ choices: [] }), /without a choice/);
  });
});
