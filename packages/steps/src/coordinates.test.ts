import { test } from "node:test";
import assert from "node:assert/strict";
import { CoordinateSpace } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import { coordinateProblem, pointToPixels, radiusToPixels } from "./coordinates";

const { COORDINATE_SPACE_UNSPECIFIED: UNSPEC, COORDINATE_SPACE_NORM_1000: NORM, COORDINATE_SPACE_UNIT: UNIT, COORDINATE_SPACE_PIXEL: PIXEL } = CoordinateSpace;

const fails = (fn: () => unknown, field: string, text: string) =>
  assert.throws(fn, (e: unknown) => e instanceof InvalidArgumentError && e.field === field && e.description.includes(text));

test("each space maps to pixels; UNSPECIFIED is NORM_1000", () => {
  assert.deepEqual(pointToPixels({ x: 500, y: 400 }, NORM, 1000, 700, "p"), { x: 500, y: 280 });
  assert.deepEqual(pointToPixels({ x: 500, y: 400 }, UNSPEC, 1000, 700, "p"), { x: 500, y: 280 });
  assert.deepEqual(pointToPixels({ x: 0.25, y: 0.5 }, UNIT, 1000, 700, "p"), { x: 250, y: 350 });
  assert.deepEqual(pointToPixels({ x: 12.5, y: 3 }, PIXEL, 1000, 700, "p"), { x: 12.5, y: 3 });
});

test("radius is measured along the shorter side", () => {
  assert.equal(radiusToPixels(100, NORM, 1000, 700, "r"), 70);
  assert.equal(radiusToPixels(0.1, UNIT, 1000, 700, "r"), 70);
  assert.equal(radiusToPixels(70, PIXEL, 1000, 700, "r"), 70);
});

test("slightly out of range is clamped to the image", () => {
  assert.deepEqual(pointToPixels({ x: 1003, y: -5 }, NORM, 1000, 700, "p"), { x: 1000, y: 0 });
  assert.deepEqual(pointToPixels({ x: 2000, y: -1000 }, NORM, 1000, 700, "p"), { x: 1000, y: 0 });
  assert.deepEqual(pointToPixels({ x: 1.5, y: -0.2 }, UNIT, 1000, 700, "p"), { x: 1000, y: 0 });
  assert.deepEqual(pointToPixels({ x: -900, y: 1300 }, PIXEL, 1000, 700, "p"), { x: 0, y: 700 });
});

test("absurd and non-finite values are rejected, naming the member", () => {
  fails(() => pointToPixels({ x: 2001, y: 0 }, NORM, 1000, 700, "line.start"), "line.start.x", "absurd coordinate");
  fails(() => pointToPixels({ x: 0, y: -1001 }, NORM, 1000, 700, "line.start"), "line.start.y", "absurd coordinate");
  fails(() => pointToPixels({ x: 0, y: 2.5 }, UNIT, 1000, 700, "p"), "p.y", "absurd coordinate");
  fails(() => pointToPixels({ x: 5000, y: 0 }, PIXEL, 1000, 700, "p"), "p.x", "absurd coordinate");
  fails(() => pointToPixels({ x: 1, y: NaN }, NORM, 1000, 700, "line.start"), "line.start.y", "not a finite number");
  fails(() => pointToPixels({ x: Infinity, y: 1 }, NORM, 1000, 700, "p"), "p.x", "not a finite number");
  fails(() => pointToPixels(undefined, NORM, 1000, 700, "rectangle.corner2"), "rectangle.corner2", "required");
  fails(() => pointToPixels({ x: 1, y: 1 }, CoordinateSpace.UNRECOGNIZED, 1000, 700, "p"), "space", "unknown coordinate space");
  fails(() => radiusToPixels(-1, NORM, 1000, 700, "circle.radius"), "circle.radius", "negative");
  fails(() => radiusToPixels(2001, NORM, 1000, 700, "circle.radius"), "circle.radius", "absurd radius");
  fails(() => radiusToPixels(NaN, NORM, 1000, 700, "circle.radius"), "circle.radius", "not a finite number");
});

test("coordinateProblem is the same rule, without an image", () => {
  for (const v of [0, 1000, -1000, 2000, 1003, -2, 500.5]) assert.equal(coordinateProblem(v, "x", NORM), undefined, String(v));
  assert.match(coordinateProblem(2001, "y", NORM) ?? "", /absurd coordinate 2001: NORM_1000 allows -1000..2000/);
  assert.match(coordinateProblem(-1001, "x", UNSPEC) ?? "", /absurd coordinate/);
  assert.match(coordinateProblem(Infinity, "x", NORM) ?? "", /not a finite number/);
  assert.match(coordinateProblem(NaN, "y", UNIT) ?? "", /not a finite number/);
  assert.equal(coordinateProblem(1.9, "x", UNIT), undefined);
  assert.match(coordinateProblem(2.1, "x", UNIT) ?? "", /absurd coordinate 2.1: UNIT allows -1..2/);
  assert.equal(coordinateProblem(2000, "radius", NORM), undefined);
  assert.match(coordinateProblem(2001, "radius", NORM) ?? "", /absurd radius/);
  assert.match(coordinateProblem(-1, "radius", NORM) ?? "", /negative/);
  assert.match(coordinateProblem(1, "x", CoordinateSpace.UNRECOGNIZED) ?? "", /unknown coordinate space/);
  // PIXEL ranges come from the image; without one only finiteness is checked.
  assert.equal(coordinateProblem(5000, "x", PIXEL), undefined);
  assert.match(coordinateProblem(5000, "x", PIXEL, { width: 1000, height: 700 }) ?? "", /PIXEL allows -1000..2000/);
  assert.match(coordinateProblem(-Infinity, "x", PIXEL) ?? "", /not a finite number/);
  // Agreement with pointToPixels on a sweep of values.
  for (let v = -3000; v <= 3000; v += 250) {
    let thrown: string | undefined;
    try {
      pointToPixels({ x: v, y: 0 }, NORM, 1000, 700, "p");
    } catch (e) {
      thrown = (e as InvalidArgumentError).description;
    }
    assert.equal(thrown, coordinateProblem(v, "x", NORM), String(v));
  }
});
