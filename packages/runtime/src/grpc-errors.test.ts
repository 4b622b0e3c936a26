import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ClientError, ServerError, Status } from "nice-grpc";
import { BadRequest, RichClientError, RichServerError } from "nice-grpc-error-details";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, ResourceExhaustedError, UnavailableError, withFieldPrefix } from "@sketchvl/errors";
import { fromClientError, toServerError } from "./grpc-errors";

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

describe("fromClientError", () => {
  const failed = (code: Status, details = "why") => new ClientError("/sketchvl.v1.PrmService/ScoreSteps", code, details);

  it("types a dependency's failure by its code, so it maps back to a status by kind", () => {
    const down = fromClientError(failed(Status.UNAVAILABLE, "No connection established"), "prm");
    assert.ok(down instanceof UnavailableError);
    assert.deepEqual([down.dependency, down.timedOut, down.message], ["prm", false, "prm: UNAVAILABLE: No connection established"]);
    assert.equal(toServerError(down)?.code, Status.UNAVAILABLE);
    const late = fromClientError(failed(Status.DEADLINE_EXCEEDED), "prm");
    assert.ok(late instanceof UnavailableError && late.timedOut);
    assert.equal(toServerError(late)?.code, Status.UNAVAILABLE, "retryable for our caller, whose own deadline has not passed");
    assert.ok(fromClientError(failed(Status.RESOURCE_EXHAUSTED), "prm") instanceof ResourceExhaustedError);
    const precondition = fromClientError(failed(Status.FAILED_PRECONDITION, "batch too old"), "trainer");
    assert.ok(precondition instanceof FailedPreconditionError);
    assert.equal(toServerError(precondition)?.code, Status.FAILED_PRECONDITION);
  });

  it("keeps the field a dependency named for bad input or something missing", () => {
    const rich = new RichClientError("/x", Status.NOT_FOUND, "steps[0].before.digest: no image", [
      BadRequest.fromPartial({ fieldViolations: [{ field: "steps[0].before.digest", description: "no image" }] }),
    ]);
    const missing = fromClientError(rich, "prm");
    assert.ok(missing instanceof NotFoundError);
    assert.deepEqual([missing.field, missing.description], ["steps[0].before.digest", "no image"]);
    assert.ok(fromClientError(failed(Status.INVALID_ARGUMENT), "renderer") instanceof InvalidArgumentError);
  });

  it("leaves a dependency's bug (INTERNAL) and what is not a ClientError unchanged: INTERNAL, logged", () => {
    const bug = failed(Status.INTERNAL);
    assert.equal(fromClientError(bug, "prm"), bug);
    assert.equal(toServerError(fromClientError(bug, "prm")), undefined);
    const other = new TypeError("x");
    assert.equal(fromClientError(other, "prm"), other);
  });
});
