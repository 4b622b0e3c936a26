// The one place where typed domain errors become gRPC statuses. Field errors carry a
// google.rpc.BadRequest detail so clients in any language can read which field was wrong.
import { isAbortError } from "abort-controller-x";
import { ClientError, ServerError, Status } from "nice-grpc";
import { BadRequest, ErrorInfo, RichClientError, RichServerError } from "nice-grpc-error-details";
import {
  FailedPreconditionError,
  InvalidArgumentError,
  MeshError,
  type MeshErrorKind,
  NotFoundError,
  ResourceExhaustedError,
  UnavailableError,
} from "@sketchvl/errors";

const statusOf: Record<MeshErrorKind, Status> = {
  invalid_argument: Status.INVALID_ARGUMENT,
  not_found: Status.NOT_FOUND,
  resource_exhausted: Status.RESOURCE_EXHAUSTED,
  failed_precondition: Status.FAILED_PRECONDITION,
  deadline_exceeded: Status.DEADLINE_EXCEEDED,
  unavailable: Status.UNAVAILABLE,
  internal: Status.INTERNAL,
};

/** Maps a thrown value to the ServerError the client sees; `undefined` means "a bug: log it, say INTERNAL". */
export function toServerError(err: unknown): ServerError | undefined {
  if (err instanceof ServerError) return err;
  if (!(err instanceof MeshError)) return undefined;
  const status = statusOf[err.kind];
  if (err instanceof InvalidArgumentError || err instanceof NotFoundError) {
    return new RichServerError(status, err.message, [
      BadRequest.fromPartial({ fieldViolations: [{ field: err.field, description: err.description }] }),
    ]);
  }
  return new RichServerError(status, err.message, [
    ErrorInfo.fromPartial({ reason: err.kind.toUpperCase(), domain: "sketchvl.mesh" }),
  ]);
}

export { isAbortError };

/**
 * The same mapping for errors reported in-band (one failed item of a stream that goes on):
 * the status name, message and offending field. `undefined` for bugs, as in toServerError.
 */
export function describeFailure(err: unknown): { code: string; message: string; field: string } | undefined {
  const mapped = toServerError(err);
  if (!mapped) return undefined;
  const field = err instanceof InvalidArgumentError || err instanceof NotFoundError ? err.field : "";
  return { code: Status[mapped.code], message: mapped.details, field };
}

/**
 * The other direction: a failed call to another service (`dependency`, "prm") as the typed error it
 * means for this service's caller, so it maps back to a status by kind, never by message text.
 * Unreachable, timed out, cancelled or aborted → UnavailableError (retryable; `timedOut` for a
 * deadline); overloaded → ResourceExhaustedError; precondition → FailedPreconditionError; bad input
 * or missing → InvalidArgumentError / NotFoundError with the field the dependency named. Anything
 * else (INTERNAL, UNIMPLEMENTED, ...) is a bug somewhere in the mesh: returned unchanged, so it
 * ends as INTERNAL and is logged. Values that are not ClientErrors (aborts, bugs) pass through.
 */
export function fromClientError(err: unknown, dependency: string): unknown {
  if (!(err instanceof ClientError)) return err;
  const what = `${dependency}: ${Status[err.code]}: ${err.details}`;
  const violation = err instanceof RichClientError
    ? err.extra.flatMap((d) => (d.$type === BadRequest.$type ? (d as BadRequest).fieldViolations : []))[0]
    : undefined;
  const field = violation?.field ?? "";
  const description = violation?.description ?? err.details;
  switch (err.code) {
    case Status.UNAVAILABLE:
    case Status.CANCELLED:
    case Status.ABORTED:
      return new UnavailableError(what, { dependency });
    case Status.DEADLINE_EXCEEDED:
      return new UnavailableError(what, { dependency, timedOut: true });
    case Status.RESOURCE_EXHAUSTED:
      return new ResourceExhaustedError(what);
    case Status.FAILED_PRECONDITION:
      return new FailedPreconditionError(`${dependency}: ${err.details}`);
    case Status.INVALID_ARGUMENT:
    case Status.OUT_OF_RANGE:
      return new InvalidArgumentError(field, description);
    case Status.NOT_FOUND:
      return new NotFoundError(field, description);
    default:
      return err;
  }
}
