// The one place where typed domain errors become gRPC statuses. Field errors carry a
// google.rpc.BadRequest detail so clients in any language can read which field was wrong.
import { isAbortError } from "abort-controller-x";
import { ServerError, Status } from "nice-grpc";
import { BadRequest, ErrorInfo, RichServerError } from "nice-grpc-error-details";
import { InvalidArgumentError, MeshError, type MeshErrorKind, NotFoundError } from "./errors";

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
