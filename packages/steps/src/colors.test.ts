import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidArgumentError } from "@sketchvl/errors";
import { parseColor, toHex } from "./colors";

test("empty means red; names are case-insensitive", () => {
  assert.deepEqual(parseColor(""), { r: 255, g: 0, b: 0 });
  assert.deepEqual(parseColor("Red"), { r: 255, g: 0, b: 0 });
  assert.deepEqual(parseColor(" BLUE "), { r: 0, g: 0, b: 255 });
  assert.deepEqual(parseColor("grey"), parseColor("Gray"));
  for (const name of ["green", "yellow", "orange", "purple", "black", "white", "cyan", "magenta", "pink", "brown"]) {
    assert.doesNotThrow(() => parseColor(name), name);
  }
});

test("#rgb and #rrggbb", () => {
  assert.deepEqual(parseColor("#f80"), { r: 255, g: 136, b: 0 });
  assert.deepEqual(parseColor("#00A0ff"), { r: 0, g: 160, b: 255 });
  assert.equal(toHex(parseColor("#0a0B0c")), "#0a0b0c");
});

test("unknown colors name the field and list the choices", () => {
  for (const bad of ["chartreuse-ish", "#12345", "#gggggg", "rgb(1,2,3)", "#ff000080"]) {
    assert.throws(
      () => parseColor(bad),
      (e: unknown) =>
        e instanceof InvalidArgumentError && e.field === "color" && e.description.includes(`unknown color "${bad}"`) && e.description.includes("#rrggbb"),
    );
  }
});
