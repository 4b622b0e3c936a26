// Typed errors for domain code. Domain modules throw these and know nothing of gRPC; the server
// bootstrap maps them to status codes in one place (grpc-errors.ts).

export type MeshErrorKind =
  | "invalid_argument"
  | "not_found"
  | "resource_exhausted"
  | "failed_precondition"
  | "deadline_exceeded"
  | "unavailable"
  | "internal";

export abstract class MeshError extends Error {
  abstract readonly kind: MeshErrorKind;
}

/** The caller sent something wrong. `field` is a dotted path into the request ("steps[2].action.color"). */
export class InvalidArgumentError extends MeshError {
  readonly kind = "invalid_argument" as const;
  constructor(
    readonly field: string,
    readonly description: string,
  ) {
    super(`${field}: ${description}`);
    this.name = "InvalidArgumentError";
  }

  /** The same error, its field nested under a parent path: `at("steps[2]")` turns "action" into "steps[2].action". */
  at(parent: string): InvalidArgumentError {
    return new InvalidArgumentError(this.field ? `${parent}.${this.field}` : parent, this.description);
  }
}

/** Something the caller refers to (an image digest, a model) is not here. */
export class NotFoundError extends MeshError {
  readonly kind = "not_found" as const;
  constructor(
    readonly field: string,
    readonly description: string,
  ) {
    super(`${field}: ${description}`);
    this.name = "NotFoundError";
  }
}

/** A bounded resource (queue, store, in-flight limit) is full: reject fast, the caller may retry later. */
export class ResourceExhaustedError extends MeshError {
  readonly kind = "resource_exhausted" as const;
  constructor(message: string) {
    super(message);
    this.name = "ResourceExhaustedError";
  }
}

/** The service is not in a state to do this (model not loaded, run not configured). */
export class FailedPreconditionError extends MeshError {
  readonly kind = "failed_precondition" as const;
  constructor(message: string) {
    super(message);
    this.name = "FailedPreconditionError";
  }
}

/**
 * A dependency of this service could not be reached, or did not answer in time (`timedOut`):
 * the caller may retry. `dependency` names it ("prm") when it is another service.
 */
export class UnavailableError extends MeshError {
  readonly kind = "unavailable" as const;
  readonly dependency: string;
  readonly timedOut: boolean;
  constructor(message: string, options: { dependency?: string; timedOut?: boolean } = {}) {
    super(message);
    this.name = "UnavailableError";
    this.dependency = options.dependency ?? "";
    this.timedOut = options.timedOut ?? false;
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
