// The hand-written kind maps agree with the generated code: one entry per ActionKind value, and
// each name is the DrawingAction oneof case it claims to be. A kind added to proto/ fails here
// until actionKinds.ts names it.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ACTION_KIND_OF_NAME,
  ACTION_KIND_SLOTS,
  ACTION_KINDS,
  ACTION_NAMES,
  actionKindOf,
  actionNameOfKind,
  COORDINATE_COUNT,
  isKnownActionKind,
  MARK_NAMES,
} from "./actionKinds";
import { ActionKind, DrawingAction } from "./gen/sketchvl/v1/action";

/** The generated enum's members other than UNSPECIFIED / UNRECOGNIZED, as [NAME, value]. */
const enumMembers = Object.entries(ActionKind).filter((e): e is [string, number] => typeof e[1] === "number" && e[1] > 0);

test("every ActionKind has exactly one name, its enum suffix in lower case", () => {
  assert.equal(ACTION_NAMES.length, enumMembers.length);
  for (const [member, value] of enumMembers) {
    const name = member.replace(/^ACTION_KIND_/, "").toLowerCase();
    assert.equal(ACTION_KIND_OF_NAME[name as keyof typeof ACTION_KIND_OF_NAME], value, member);
    assert.equal(actionNameOfKind(value), name);
    assert.ok(isKnownActionKind(value));
  }
  assert.equal(actionNameOfKind(ActionKind.ACTION_KIND_UNSPECIFIED), undefined);
  assert.ok(!isKnownActionKind(ActionKind.ACTION_KIND_UNSPECIFIED) && !isKnownActionKind(ActionKind.UNRECOGNIZED) && !isKnownActionKind(99));
  assert.deepEqual(
    ACTION_KINDS,
    enumMembers.map(([, v]) => v).sort((a, b) => a - b),
  );
  // isKnownActionKind is a range check: the kinds must be 1..N without gaps.
  assert.deepEqual(
    ACTION_KINDS,
    ACTION_KINDS.map((_, i) => i + 1),
  );
  assert.equal(ACTION_KIND_SLOTS, Math.max(...ACTION_KINDS) + 1);
});

test("each name is the DrawingAction oneof case the generated decoder produces", () => {
  for (const name of ACTION_NAMES) {
    const action = DrawingAction.fromJSON({ [name]: {} });
    assert.equal(action.kind?.$case, name);
    assert.equal(actionKindOf(action), ACTION_KIND_OF_NAME[name]);
  }
  assert.equal(actionKindOf(DrawingAction.fromJSON({})), ActionKind.ACTION_KIND_UNSPECIFIED);
});

test("marks are every kind but crop, and every kind has a coordinate count", () => {
  assert.deepEqual(MARK_NAMES, ["point", "line", "rectangle", "circle", "text"]);
  assert.deepEqual(Object.keys(COORDINATE_COUNT).sort(), [...ACTION_NAMES].sort());
});
