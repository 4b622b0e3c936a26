import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ServerError, Status } from "nice-grpc";
import { BadRequest, RichServerError } from "nice-grpc-error-details";
import { InvalidArgumentError, NotFoundError, ResourceExhaustedError, withFieldPrefix } from "./errors";
import { toServerError } from "./grpc-errors";

describe("toServerError", () => {
  it("maps a field error to INVALID_ARGUMENT with a BadRequest detail naming the field", () => {
    const err = toServerError(new InvalidArgumentError("steps[2].action.color", 'unknown color "mauve"'));
    assert.ok(err instanceof RichServerError);
    assert.equal(err.code, Status.INVALID_ARGUMENT);
    assert.equal(err.details, 'steps[2].action.color: unknown color "mauve"');
    const [detail] = err.extra as BadRequest[];
    assert.equal(detail.fieldViolations[0].field, "steps[2].action.color");
  });

  it("maps each kind to its status", () => {
    assert.equal(toServerError(new NotFoundError("image.digest", "not stored"))?.code, Status.NOT_FOUND);
    assert.equal(toServerError(new ResourceExhaustedError("queue full"))?.code, Status.RESOURCE_EXHAUSTED);
  });

  it("passes ServerErrors through and leaves unknown errors to the caller (INTERNAL, logged)", () => {
    const se = new ServerError(Status.ABORTED, "x");
    assert.equal(toServerError(se), se);
    assert.equal(toServerError(new TypeError("bug")), undefined);
  });

  it("nests field paths", () => {
    assert.throws(
      () => withFieldPrefix("steps[1]", () => {
        throw new InvalidArgumentError("action.line.start.x", "not a finite number");
      }),
      (err: unknown) => err instanceof InvalidArgumentError && err.field === "steps[1].action.line.start.x",
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
