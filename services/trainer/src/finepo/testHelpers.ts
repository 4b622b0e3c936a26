// Shared by the *.test.ts files (not part of the public API).
import assert from "node:assert/strict";
import { InvalidArgumentError } from "@sketchvl/errors";

/** Asserts that `fn` throws an InvalidArgumentError naming exactly `field`. */
export function throwsField(fn: () => unknown, field: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(err)}`);
    assert.equal(err.field, field, `wrong field (message: ${err.message})`);
    return true;
  });
}

export function close(actual: number, expected: number, tolerance = 1e-9, message?: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${message ?? "values differ"}: ${actual} vs ${expected} (tolerance ${tolerance})`);
}
