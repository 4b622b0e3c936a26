import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ErrorReason as WireReason, errorReasonToJSON, RendererServiceDefinition } from "@sketchvl/contract";
import {
  DeadlineExceededError,
  ERROR_REASONS,
  FailedPreconditionError,
  InvalidArgumentError,
  type MeshError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
} from "@sketchvl/errors";
import { ClientError, ServerError, Status } from "nice-grpc";
import { BadRequest, ErrorInfo, RichClientError, RichServerError } from "nice-grpc-error-details";
import { createMeshChannel, createMeshClient } from "./client";
import { loadConfig, serverOptions } from "./config";
import { describeFailure, ERROR_DOMAIN, fromClientError, sentReason, toServerError, wireReason } from "./grpcErrors";
import { type MeshServer, startServer } from "./server";

const infoOf = (err: ServerError | undefined) => (err as RichServerError).extra.find((d): d is ErrorInfo => d.$type === ErrorInfo.$type);

describe("ErrorReason", () => {
  it("is the same list in @sketchvl/errors and in the contract", () => {
    const wire = Object.values(WireReason)
      .filter((v): v is WireReason => typeof v === "number" && v !== WireReason.UNRECOGNIZED)
      .map((v) => errorReasonToJSON(v).replace(/^ERROR_REASON_/, ""));
    assert.deepEqual([...ERROR_REASONS].sort(), wire.sort());
    for (const reason of ERROR_REASONS) assert.equal(errorReasonToJSON(wireReason(reason)), `ERROR_REASON_${reason}`);
  });
});

describe("toServerError", () => {
  it("maps a field error to INVALID_ARGUMENT with a BadRequest naming the field and an ErrorInfo with the reason", () => {
    const err = toServerError(new InvalidArgumentError("steps[2].action.color", 'unknown color "mauve"'));
    assert.ok(err instanceof RichServerError);
    assert.equal(err.code, Status.INVALID_ARGUMENT);
    assert.equal(err.details, 'steps[2].action.color: unknown color "mauve"');
    const [violations] = err.extra as BadRequest[];
    assert.equal(violations.fieldViolations[0].field, "steps[2].action.color");
    assert.deepEqual(infoOf(err), ErrorInfo.fromPartial({ reason: "INVALID_FIELD", domain: ERROR_DOMAIN, metadata: { field: "steps[2].action.color" } }));
  });

  it("maps each kind to its status, each carrying its reason", () => {
    const cases: Array<[MeshError, Status, string]> = [
      [new NotFoundError("image.digest", "not stored", "IMAGE_NOT_FOUND"), Status.NOT_FOUND, "IMAGE_NOT_FOUND"],
      [new ResourceExhaustedError("queue full"), Status.RESOURCE_EXHAUSTED, "OVERLOADED"],
      [new FailedPreconditionError("load it first", "MODEL_NOT_LOADED"), Status.FAILED_PRECONDITION, "MODEL_NOT_LOADED"],
      [new UnavailableError("prm: down", { reason: "DEPENDENCY_UNAVAILABLE", dependency: "prm" }), Status.UNAVAILABLE, "DEPENDENCY_UNAVAILABLE"],
      [new DeadlineExceededError("no message"), Status.DEADLINE_EXCEEDED, "STREAM_IDLE"],
      [new UnauthenticatedError(), Status.UNAUTHENTICATED, "NOT_AUTHENTICATED"],
      [new PermissionDeniedError(), Status.PERMISSION_DENIED, "OPERATOR_REQUIRED"],
    ];
    for (const [err, status, reason] of cases) {
      const mapped = toServerError(err);
      assert.equal(mapped?.code, status, err.name);
      assert.equal(infoOf(mapped)?.reason, reason, err.name);
    }
    assert.equal(infoOf(toServerError(cases[3][0]))?.metadata.dependency, "prm");
  });

  it("passes ServerErrors through and leaves unknown errors to the caller (INTERNAL, logged)", () => {
    const se = new ServerError(Status.ABORTED, "x");
    assert.equal(toServerError(se), se);
    assert.equal(toServerError(new TypeError("bug")), undefined);
  });

  it("reports in-band failures with the same code, field and reason", () => {
    assert.deepEqual(describeFailure(new InvalidArgumentError("steps", "3 steps; the limit is 2", "LIMIT_EXCEEDED")), {
      code: "INVALID_ARGUMENT",
      message: "steps: 3 steps; the limit is 2",
      field: "steps",
      reason: WireReason.ERROR_REASON_LIMIT_EXCEEDED,
    });
    assert.equal(describeFailure(new TypeError("bug")), undefined);
  });
});

describe("fromClientError", () => {
  const failed = (code: Status, details = "why") => new ClientError("/sketchvl.v1.PrmService/ScoreSteps", code, details);
  const sent = (code: Status, reason: string, field = "") =>
    new RichClientError("/x", code, field ? `${field}: why` : "why", [
      ...(field ? [BadRequest.fromPartial({ fieldViolations: [{ field, description: "why" }] })] : []),
      ErrorInfo.fromPartial({ reason, domain: ERROR_DOMAIN }),
    ]);

  it("types a dependency's failure by its code: unreachable or slow is DEPENDENCY_*, retryable for our caller", () => {
    const down = fromClientError(failed(Status.UNAVAILABLE, "No connection established"), "prm");
    assert.ok(down instanceof UnavailableError);
    assert.deepEqual(
      [down.reason, down.dependency, down.timedOut, down.message],
      ["DEPENDENCY_UNAVAILABLE", "prm", false, "prm: UNAVAILABLE: No connection established"],
    );
    assert.equal(toServerError(down)?.code, Status.UNAVAILABLE);
    const late = fromClientError(failed(Status.DEADLINE_EXCEEDED), "prm");
    assert.ok(late instanceof UnavailableError && late.timedOut && late.reason === "DEPENDENCY_TIMED_OUT");
    assert.equal(toServerError(late)?.code, Status.UNAVAILABLE, "retryable for our caller, whose own deadline has not passed");
    // Stopping is the dependency's reason; for our caller it is a dependency that is unavailable.
    assert.equal((fromClientError(sent(Status.UNAVAILABLE, "SHUTTING_DOWN"), "prm") as UnavailableError).reason, "DEPENDENCY_UNAVAILABLE");
  });

  it("keeps the reason and field the dependency sent", () => {
    const missing = fromClientError(sent(Status.NOT_FOUND, "IMAGE_NOT_FOUND", "steps[0].before.digest"), "prm");
    assert.ok(missing instanceof NotFoundError);
    assert.deepEqual([missing.reason, missing.field, missing.description], ["IMAGE_NOT_FOUND", "steps[0].before.digest", "why"]);
    const precondition = fromClientError(sent(Status.FAILED_PRECONDITION, "RUN_NOT_CONFIGURED"), "trainer");
    assert.ok(precondition instanceof FailedPreconditionError && precondition.reason === "RUN_NOT_CONFIGURED");
    assert.equal(toServerError(precondition)?.code, Status.FAILED_PRECONDITION);
    assert.equal((fromClientError(sent(Status.RESOURCE_EXHAUSTED, "OVERLOADED"), "prm") as ResourceExhaustedError).reason, "OVERLOADED");
  });

  it("says UNSPECIFIED for no reason, an unknown one, or one that does not belong to the code", () => {
    assert.equal((fromClientError(failed(Status.NOT_FOUND), "prm") as NotFoundError).reason, "UNSPECIFIED");
    assert.equal((fromClientError(sent(Status.NOT_FOUND, "SOMETHING_NEWER"), "prm") as NotFoundError).reason, "UNSPECIFIED");
    assert.equal((fromClientError(sent(Status.INVALID_ARGUMENT, "IMAGE_NOT_FOUND"), "prm") as InvalidArgumentError).reason, "UNSPECIFIED");
  });

  it("leaves a dependency's bug (INTERNAL) and what is not a ClientError unchanged: INTERNAL, logged", () => {
    const bug = failed(Status.INTERNAL);
    assert.equal(fromClientError(bug, "prm"), bug);
    assert.equal(toServerError(fromClientError(bug, "prm")), undefined);
    const other = new TypeError("x");
    assert.equal(fromClientError(other, "prm"), other);
  });
});

describe("a reason over real gRPC (loopback)", () => {
  // Each error class with a reason it carries, thrown by a real server for the text it is sent.
  const thrown: Record<string, () => MeshError> = {
    field: () => new InvalidArgumentError("steps[2].action.color", 'unknown color "mauve"'),
    limit: () => new InvalidArgumentError("text", "9 characters; the limit is 8", "LIMIT_EXCEEDED"),
    image: () => new NotFoundError("steps[0].before.digest", "no image sha256:00 is stored here", "IMAGE_NOT_FOUND"),
    model: () => new NotFoundError("model", 'no model "x"', "MODEL_NOT_FOUND"),
    notLoaded: () => new FailedPreconditionError('model "m" is not loaded: load it first', "MODEL_NOT_LOADED"),
    run: () => new FailedPreconditionError('run "r": call ConfigureRun again', "RUN_NOT_CONFIGURED"),
    busy: () => new ResourceExhaustedError("queue full; retry with backoff"),
    stopping: () => new UnavailableError("shutting down; retry", { reason: "SHUTTING_DOWN" }),
    idle: () => new DeadlineExceededError("no message within 10 ms"),
  };
  let server: MeshServer;
  let channel: ReturnType<typeof createMeshChannel>;

  before(async () => {
    const config = loadConfig("errors", serverOptions(0), ["--host", "127.0.0.1", "--log-level", "silent"], {});
    const parseSteps = async ({ text }: { text: string }) => {
      throw thrown[text]();
    };
    // The other methods are never called; the server only needs each to exist.
    const unused = Object.fromEntries(Object.keys(RendererServiceDefinition.methods).map((m) => [m, () => assert.fail(`${m} called`)]));
    const implementation = { ...unused, parseSteps };
    server = await startServer({ name: "errors", config, services: [{ definition: RendererServiceDefinition, implementation }] });
    channel = createMeshChannel(server.address);
  });
  after(async () => {
    channel.close();
    await server.shutdown();
  });

  const failure = async (client: { parseSteps(r: { text: string }): Promise<unknown> }, text: string) => {
    try {
      await client.parseSteps({ text });
    } catch (err) {
      return err;
    }
    assert.fail(`${text}: the call succeeded`);
  };

  it("reaches any client as ErrorInfo.reason, beside the status, message and field", async () => {
    const client = createMeshClient(RendererServiceDefinition, channel);
    for (const [text, make] of Object.entries(thrown)) {
      const expected = make();
      const err = await failure(client, text);
      assert.ok(err instanceof RichClientError, text);
      assert.equal(err.code, toServerError(expected)!.code, text);
      assert.equal(err.details, expected.message, text);
      assert.equal(sentReason(err), expected.reason, text);
    }
  });

  it("comes back as the same typed error with the same reason through a dependency's client", async () => {
    const client = createMeshClient(RendererServiceDefinition, channel, { dependency: "renderer" });
    for (const text of ["field", "limit", "image", "model", "notLoaded", "run", "busy"]) {
      const expected = thrown[text]();
      const err = await failure(client, text);
      assert.equal((err as Error).constructor, expected.constructor, text);
      assert.equal((err as MeshError).reason, expected.reason, text);
      if (expected instanceof InvalidArgumentError || expected instanceof NotFoundError) {
        assert.equal((err as NotFoundError).field, expected.field, text);
      }
    }
    // A dependency that is stopping or was slow is, for this service's caller, an unavailable dependency.
    const stopping = await failure(client, "stopping");
    assert.ok(stopping instanceof UnavailableError && stopping.reason === "DEPENDENCY_UNAVAILABLE" && stopping.dependency === "renderer");
    const idle = await failure(client, "idle");
    assert.ok(idle instanceof UnavailableError && idle.reason === "DEPENDENCY_TIMED_OUT");
  });
});
