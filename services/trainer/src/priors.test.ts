import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ACTION_KIND_OF_NAME, ACTION_NAMES, ActionKind } from "@sketchvl/contract";
import { InvalidArgumentError } from "@sketchvl/errors";
import { actionKindFromName, parsePrior } from "./priors";

describe("parsePrior", () => {
  it("reads a pretty-printed JSON object of counts, keeping explicit zeros", () => {
    const prior = parsePrior('{\n  "box": 3,\n  "line": 1,\n  "crop": 0\n}\n', "prior.json");
    assert.equal(prior.get(ActionKind.ACTION_KIND_RECTANGLE), 0.75);
    assert.equal(prior.get(ActionKind.ACTION_KIND_LINE), 0.25);
    assert.equal(prior.get(ActionKind.ACTION_KIND_CROP), 0);
  });

  it("counts kinds over JSONL trajectories", () => {
    const prior = parsePrior('{"actions": ["rectangle", "line"]}\n{"actions": ["line", "point"]}\n', "t.jsonl");
    assert.equal(prior.get(ActionKind.ACTION_KIND_LINE), 0.5);
    assert.equal(prior.get(ActionKind.ACTION_KIND_POINT), 0.25);
  });

  it("names the line and the problem", () => {
    assert.throws(
      () => parsePrior('{"actions": ["rectangle"]}\n{"actions": ["hexagon"]}', "t.jsonl"),
      (e: unknown) => e instanceof InvalidArgumentError && e.field === "t.jsonl:2",
    );
    assert.throws(
      () => parsePrior('{"point": -1}', "p.json"),
      (e: unknown) => e instanceof InvalidArgumentError && e.field === "p.json.point",
    );
    assert.throws(() => parsePrior("{}", "p.json"), InvalidArgumentError);
  });

  it("reads every contract name (any case, with or without the enum prefix) and the text syntaxes' words, nothing else", () => {
    for (const name of ACTION_NAMES) {
      for (const spelled of [name, name.toUpperCase(), `ACTION_KIND_${name.toUpperCase()}`])
        assert.equal(actionKindFromName(spelled, "f"), ACTION_KIND_OF_NAME[name]);
    }
    for (const word of ["box", "Rect", "bbox"]) assert.equal(actionKindFromName(word, "f"), ActionKind.ACTION_KIND_RECTANGLE);
    for (const word of ["unspecified", "ACTION_KIND_UNSPECIFIED", "UNRECOGNIZED", "constructor", "hexagon"]) {
      assert.throws(() => actionKindFromName(word, "f"), InvalidArgumentError, word);
    }
  });
});
