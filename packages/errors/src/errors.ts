// Typed errors for domain code. Domain modules throw these and know nothing of gRPC; the server
// bootstrap maps them to status codes and details in one place (@sketchvl/runtime's grpcErrors.ts),
// and a client of the mesh gets the same classes back. No dependencies: a package that only draws or
// only computes can throw them without pulling in grpc-js.

export type MeshErrorKind =
  | "invalid_argument"
  | "not_found"
  | "resource_exhausted"
  | "failed_precondition"
  | "deadline_exceeded"
  | "unavailable"
  | "unauthenticated"
  | "permission_denied"
  | "internal";

/**
 * Why a call failed: the values of the contract's ErrorReason (proto/sketchvl/v1/errors.proto, where
 * each is documented) without their "ERROR_REASON_" prefix, as they travel in google.rpc.ErrorInfo.
 * Callers branch on these, never on message text. A test in @sketchvl/runtime keeps the two lists equal.
 */
export const ERROR_REASONS = [
  "UNSPECIFIED",
  "INVALID_FIELD",
  "LIMIT_EXCEEDED",
  "MALFORMED_REQUEST",
  "REQUEST_ID_REUSED",
  "IMAGE_NOT_FOUND",
  "MODEL_NOT_FOUND",
  "MODEL_NOT_LOADED",
  "MODEL_UNUSABLE",
  "RUN_NOT_CONFIGURED",
  "OVERLOADED",
  "SHUTTING_DOWN",
  "WORKER_FAILED",
  "DEPENDENCY_UNAVAILABLE",
  "DEPENDENCY_TIMED_OUT",
  "STREAM_IDLE",
  "NOT_AUTHENTICATED",
  "OPERATOR_REQUIRED",
  "STARTING",
] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

/**
 * The reasons each kind of error can carry, so a reason always comes with the same status code
 * (MODEL_NOT_LOADED is NOT_FOUND only for unloading it). "UNSPECIFIED" belongs to every kind: it is
 * what a client decodes from a peer that named no reason it knows.
 */
export const REASONS_OF_KIND = {
  invalid_argument: ["INVALID_FIELD", "LIMIT_EXCEEDED", "MALFORMED_REQUEST", "REQUEST_ID_REUSED"],
  not_found: ["IMAGE_NOT_FOUND", "MODEL_NOT_FOUND", "MODEL_NOT_LOADED"],
  resource_exhausted: ["OVERLOADED"],
  failed_precondition: ["MODEL_NOT_LOADED", "MODEL_UNUSABLE", "RUN_NOT_CONFIGURED"],
  deadline_exceeded: ["STREAM_IDLE"],
  unauthenticated: ["NOT_AUTHENTICATED"],
  permission_denied: ["OPERATOR_REQUIRED"],
  unavailable: ["STARTING", "SHUTTING_DOWN", "WORKER_FAILED", "DEPENDENCY_UNAVAILABLE", "DEPENDENCY_TIMED_OUT"],
  internal: [],
} as const satisfies Record<MeshErrorKind, readonly ErrorReason[]>;
export type ReasonOf<K extends MeshErrorKind> = (typeof REASONS_OF_KIND)[K][number] | "UNSPECIFIED";

/** `reason` if errors of `kind` can carry it, else "UNSPECIFIED": for reasons read off the wire. */
export function reasonFor<K extends MeshErrorKind>(kind: K, reason: string): ReasonOf<K> {
  return (REASONS_OF_KIND[kind] as readonly string[]).includes(reason) ? (reason as ReasonOf<K>) : "UNSPECIFIED";
}

export abstract class MeshError extends Error {
  abstract readonly kind: MeshErrorKind;
  abstract readonly reason: ErrorReason;
}

/**
 * The caller sent something wrong. `field` is a dotted path into the request ("steps[2].action.color");
 * `reason` LIMIT_EXCEEDED when it is over a size limit (the same request fails again: send less).
 */
export class InvalidArgumentError extends MeshError {
  readonly kind = "invalid_argument" as const;
  constructor(
    readonly field: string,
    readonly description: string,
    readonly reason: ReasonOf<"invalid_argument"> = "INVALID_FIELD",
  ) {
    super(field ? `${field}: ${description}` : description);
    this.name = "InvalidArgumentError";
  }

  /** The same error, its field nested under a parent path: `at("steps[2]")` turns "action" into "steps[2].action". */
  at(parent: string): InvalidArgumentError {
    return new InvalidArgumentError(this.field ? `${parent}.${this.field}` : parent, this.description, this.reason);
  }
}

/** Something the caller refers to (an image digest, a model) is not here; `reason` says which. */
export class NotFoundError extends MeshError {
  readonly kind = "not_found" as const;
  constructor(
    readonly field: string,
    readonly description: string,
    readonly reason: ReasonOf<"not_found">,
  ) {
    super(field ? `${field}: ${description}` : description);
    this.name = "NotFoundError";
  }
}

/** A bounded resource (queue, store, in-flight limit) is full: reject fast, the caller may retry later. */
export class ResourceExhaustedError extends MeshError {
  readonly kind = "resource_exhausted" as const;
  constructor(
    message: string,
    readonly reason: ReasonOf<"resource_exhausted"> = "OVERLOADED",
  ) {
    super(message);
    this.name = "ResourceExhaustedError";
  }
}

/** The service is not in a state to do this (model not loaded, run not configured): `reason` says which. */
export class FailedPreconditionError extends MeshError {
  readonly kind = "failed_precondition" as const;
  constructor(
    message: string,
    readonly reason: ReasonOf<"failed_precondition">,
  ) {
    super(message);
    this.name = "FailedPreconditionError";
  }
}

/**
 * Not now, retry: this service or its worker is stopping or failed (SHUTTING_DOWN, WORKER_FAILED),
 * or a dependency could not be reached or did not answer in time (DEPENDENCY_UNAVAILABLE,
 * DEPENDENCY_TIMED_OUT). `dependency` names it ("prm", an endpoint's URL) for the latter.
 */
export class UnavailableError extends MeshError {
  readonly kind = "unavailable" as const;
  readonly reason: ReasonOf<"unavailable">;
  readonly dependency: string;
  constructor(message: string, options: { reason: ReasonOf<"unavailable">; dependency?: string }) {
    super(message);
    this.name = "UnavailableError";
    this.reason = options.reason;
    this.dependency = options.dependency ?? "";
  }

  /** A dependency did not answer within its deadline (retryable: our caller's has not passed). */
  get timedOut(): boolean {
    return this.reason === "DEPENDENCY_TIMED_OUT";
  }
}

/** The caller was too slow: a client stream sent no message within this service's limit (STREAM_IDLE). */
export class DeadlineExceededError extends MeshError {
  readonly kind = "deadline_exceeded" as const;
  constructor(
    message: string,
    readonly reason: ReasonOf<"deadline_exceeded"> = "STREAM_IDLE",
  ) {
    super(message);
    this.name = "DeadlineExceededError";
  }
}

/**
 * The call carries no credential this service accepts. The message is the same whatever was wrong
 * (missing, malformed, unknown), so a caller learns nothing about which tokens exist.
 */
export class UnauthenticatedError extends MeshError {
  readonly kind = "unauthenticated" as const;
  constructor(
    message = "a valid credential is required (authorization: Bearer <token>)",
    readonly reason: ReasonOf<"unauthenticated"> = "NOT_AUTHENTICATED",
  ) {
    super(message);
    this.name = "UnauthenticatedError";
  }
}

/** The caller is known but may not make this call (a control call needs an operator credential). */
export class PermissionDeniedError extends MeshError {
  readonly kind = "permission_denied" as const;
  constructor(
    message = "this call needs an operator credential",
    readonly reason: ReasonOf<"permission_denied"> = "OPERATOR_REQUIRED",
  ) {
    super(message);
    this.name = "PermissionDeniedError";
  }
}

/**
 * Runs `fn` (sync or async), re-throwing an InvalidArgumentError with its field nested under
 * `parent`, so domain code names fields relative to what it was given and callers root them.
 */
export function withFieldPrefix<T>(parent: string, fn: () => T): T {
  const rethrow = (err: unknown): never => {
    if (err instanceof InvalidArgumentError) throw err.at(parent);
    throw err;
  };
  try {
    const out = fn();
    return (out instanceof Promise ? out.catch(rethrow) : out) as T;
  } catch (err) {
    return rethrow(err);
  }
}
