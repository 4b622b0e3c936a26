import { test } from "node:test";
import assert from "node:assert/strict";
import { codePointMapper, toTextSpan, trimSpan } from "./offsets";

/** Python-style slicing by code points. */
const slice = (text: string, start: number, end: number) => Array.from(text).slice(start, end).join("");

test("ASCII and BMP text map one to one", () => {
  const text = "Intent1: 画一个框 é";
  const map = codePointMapper(text);
  for (let i = 0; i <= text.length; i++) assert.equal(map(i), i);
});

test("astral characters (emoji) count one code point", () => {
  const text = "a🎨b😀😀c 画";
  const map = codePointMapper(text);
  assert.equal(map(text.length), Array.from(text).length);
  const b = text.indexOf("b");
  assert.equal(map(b), 2);
  const c = text.indexOf("c");
  const span = toTextSpan(map, { start: b, end: c + 1 });
  assert.equal(slice(text, span.start, span.end), "b😀😀c");
  const hua = text.indexOf("画");
  assert.equal(slice(text, map(hua), map(hua + 1)), "画");
});

test("a lone surrogate counts as one code point, like Python", () => {
  const text = "x\ud800y";
  const map = codePointMapper(text);
  assert.deepEqual([map(0), map(1), map(2), map(3)], [0, 1, 2, 3]);
});

test("trimSpan drops surrounding whitespace", () => {
  const text = "  hi there \n";
  assert.deepEqual(trimSpan(text, { start: 0, end: text.length }), { start: 2, end: 10 });
  assert.deepEqual(trimSpan(text, { start: 0, end: 2 }), { start: 2, end: 2 });
});
