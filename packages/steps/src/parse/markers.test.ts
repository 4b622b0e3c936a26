import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { countAtOrBefore, findImageMarkers, turnCounter } from "./markers";

test("property: countAtOrBefore is the number of ends at or before a position", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 30 }), fc.integer({ min: -5, max: 210 }), (raw, pos) => {
      const ends = [...raw].sort((a, b) => a - b);
      assert.equal(countAtOrBefore(ends)(pos), ends.filter((e) => e <= pos).length);
    }),
  );
});

test("turnCounter: a position's turn is the number of markers ending at or before it", () => {
  const text = "A<image>B <image> <image>C<|vision_start|>x<|vision_end|>D";
  const markers = findImageMarkers(text);
  assert.equal(markers.length, 3); // the two separated only by a space are one return of control
  const turnAt = turnCounter(markers);
  assert.deepEqual(
    ["A", "B", "C", "D"].map((ch) => turnAt(text.indexOf(ch))),
    [0, 1, 2, 3],
  );
  assert.equal(turnAt(markers[0].end - 1), 0);
  assert.equal(turnAt(markers[0].end), 1);
});
