import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ERROR_REASONS, InvalidArgumentError, NotFoundError, REASONS_OF_KIND, reasonFor, UnavailableError, withFieldPrefix } from "./errors";

describe("reasons", () => {
  it("every reason but UNSPECIFIED belongs to some kind, so each comes with a status code", () => {
    const owned = new Set<string>(Object.values(REASONS_OF_KIND).flat());
    assert.deepEqual(
      ERROR_REASONS.filter((r) => !owned.has(r)),
      ["UNSPECIFIED"],
    );
  });

  it("reads a reason off the wire only for a kind that can carry it", () => {
    assert.equal(reasonFor("not_found", "IMAGE_NOT_FOUND"), "IMAGE_NOT_FOUND");
    assert.equal(reasonFor("invalid_argument", "IMAGE_NOT_FOUND"), "UNSPECIFIED");
    assert.equal(reasonFor("not_found", ""), "UNSPECIFIED");
  });

  it("defaults to the reason a class usually means, and a timeout is a reason, not a flag", () => {
    assert.equal(new InvalidArgumentError("x", "bad").reason, "INVALID_FIELD");
    assert.ok(new UnavailableError("late", { reason: "DEPENDENCY_TIMED_OUT" }).timedOut);
    assert.ok(!new UnavailableError("down", { reason: "DEPENDENCY_UNAVAILABLE" }).timedOut);
  });

  it("names the field in the message only when there is one", () => {
    assert.equal(new InvalidArgumentError("image", "empty").message, "image: empty");
    assert.equal(new NotFoundError("", "gone", "MODEL_NOT_FOUND").message, "gone");
  });
});

describe("withFieldPrefix", () => {
  it("nests field paths, keeping the reason", () => {
    assert.throws(
      () =>
        withFieldPrefix("steps[1]", () => {
          throw new InvalidArgumentError("action.text", "too long", "LIMIT_EXCEEDED");
        }),
      (err: unknown) => err instanceof InvalidArgumentError && err.field === "steps[1].action.text" && err.reason === "LIMIT_EXCEEDED",
    );
  });

  it("nests field paths of async failures too", async () => {
    await assert.rejects(
      withFieldPrefix("image", async () => {
        throw new InvalidArgumentError("raw.width", "must be positive");
      }),
      (err: unknown) => err instanceof InvalidArgumentError && err.field === "image.raw.width",
    );
  });
});
