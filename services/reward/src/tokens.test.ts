import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "@sketchvl/errors";
import { tokenSpanOf, validateTokenOffsets } from "./tokens";

describe("tokenSpanOf", () => {
  // "Intent1: Box it\nAction1: #Draw" tokenized as words: starts at 0, 8, 12, 15, 16, 24, 26
  const offsets = [0, 8, 12, 15, 16, 24, 26];
  it("covers exactly the tokens of a span", () => {
    assert.deepEqual(tokenSpanOf(offsets, { start: 16, end: 30 }), { start: 4, end: 7 });
    assert.deepEqual(tokenSpanOf(offsets, { start: 0, end: 15 }), { start: 0, end: 3 });
  });
  it("includes the token a span starts inside (a leading space merged into the token)", () => {
    assert.deepEqual(tokenSpanOf(offsets, { start: 9, end: 14 }), { start: 1, end: 3 });
  });
  it("never returns an empty span for a non-empty text span", () => {
    assert.deepEqual(tokenSpanOf(offsets, { start: 13, end: 14 }), { start: 2, end: 3 });
  });
});

describe("validateTokenOffsets", () => {
  it("refuses decreasing offsets and offsets past the text, naming the index", () => {
    assert.throws(
      () => validateTokenOffsets([0, 5, 3], 10, "responses[2].token_offsets"),
      (e: unknown) => e instanceof InvalidArgumentError && e.field === "responses[2].token_offsets[2]",
    );
    assert.throws(
      () => validateTokenOffsets([0, 50], 10, "t"),
      (e: unknown) => e instanceof InvalidArgumentError && e.field === "t[1]",
    );
    validateTokenOffsets([0, 0, 3, 10], 10, "t");
  });
});
