// The one place where typed domain errors become gRPC statuses, and back. Every failure carries a
// google.rpc.ErrorInfo whose reason is the contract's ErrorReason (proto/sketchvl/v1/errors.proto),
// and field errors a google.rpc.BadRequest too, so clients in any language branch on the reason and
// read which field was wrong, never the message text.
import { isAbortError } from "abort-controller-x";
import { ErrorReason as WireReason, errorReasonFromJSON } from "@sketchvl/contract";
import {
  type ErrorReason,
  FailedPreconditionError,
  InvalidArgumentError,
  MeshError,
  type MeshErrorKind,
  NotFoundError,
  ResourceExhaustedError,
  reasonFor,
  UnavailableError,
} from "@sketchvl/errors";
import { ClientError, ServerError, Status } from "nice-grpc";
import { BadRequest, ErrorInfo, RichClientError, RichServerError } from "nice-grpc-error-details";

/** ErrorInfo.domain of the mesh's errors: a reason is only read from details in this domain. */
export const ERROR_DOMAIN = "sketchvl.mesh";

const statusOf: Record<MeshErrorKind, Status> = {
  invalid_argument: Status.INVALID_ARGUMENT,
  not_found: Status.NOT_FOUND,
  resource_exhausted: Status.RESOURCE_EXHAUSTED,
  failed_precondition: Status.FAILED_PRECONDITION,
  deadline_exceeded: Status.DEADLINE_EXCEEDED,
  unavailable: Status.UNAVAILABLE,
  unauthenticated: Status.UNAUTHENTICATED,
  permission_denied: Status.PERMISSION_DENIED,
  internal: Status.INTERNAL,
};

/** The contract's enum value of a reason ("IMAGE_NOT_FOUND" → ERROR_REASON_IMAGE_NOT_FOUND), for in-band errors. */
export function wireReason(reason: ErrorReason): WireReason {
  const value = errorReasonFromJSON(`ERROR_REASON_${reason}`);
  return value === WireReason.UNRECOGNIZED ? WireReason.ERROR_REASON_UNSPECIFIED : value;
}

const fieldOf = (err: MeshError) => (err instanceof InvalidArgumentError || err instanceof NotFoundError ? err.field : "");

/** Maps a thrown value to the ServerError the client sees; `undefined` means "a bug: log it, say INTERNAL". */
export function toServerError(err: unknown): ServerError | undefined {
  if (err instanceof ServerError) return err;
  if (!(err instanceof MeshError)) return undefined;
  const field = fieldOf(err);
  const metadata: Record<string, string> = {};
  if (field) metadata.field = field;
  if (err instanceof UnavailableError && err.dependency) metadata.dependency = err.dependency;
  const info = ErrorInfo.fromPartial({ reason: err.reason, domain: ERROR_DOMAIN, metadata });
  const details =
    err instanceof InvalidArgumentError || err instanceof NotFoundError
      ? [BadRequest.fromPartial({ fieldViolations: [{ field: err.field, description: err.description }] }), info]
      : [info];
  return new RichServerError(statusOf[err.kind], err.message, details);
}

export { isAbortError };

/**
 * The same mapping for errors reported in-band (one failed item of a stream that goes on):
 * the status name, message, offending field and reason. `undefined` for bugs, as in toServerError.
 */
export function describeFailure(err: unknown): { code: string; message: string; field: string; reason: WireReason } | undefined {
  const mapped = toServerError(err);
  if (!mapped) return undefined;
  const typed = err instanceof MeshError ? err : undefined;
  return { code: Status[mapped.code], message: mapped.details, field: typed ? fieldOf(typed) : "", reason: wireReason(typed?.reason ?? "UNSPECIFIED") };
}

/** The reason a failed call carries (ErrorInfo in the mesh's domain), "" when it names none. */
export function sentReason(err: ClientError): string {
  if (!(err instanceof RichClientError)) return "";
  const info = err.extra.find((d): d is ErrorInfo => d.$type === ErrorInfo.$type && (d as ErrorInfo).domain === ERROR_DOMAIN);
  return info?.reason ?? "";
}

/**
 * The other direction: a failed call to another service (`dependency`, "prm") as the typed error it
 * means for this service's caller, with the reason the dependency sent, so it maps back to a status
 * and reason by type, never by message text (IMAGE_NOT_FOUND from the renderer reaches the reward
 * service's code, and its caller, as IMAGE_NOT_FOUND). Unreachable, timed out, cancelled or aborted
 * → UnavailableError DEPENDENCY_UNAVAILABLE / DEPENDENCY_TIMED_OUT (retryable: this call's own
 * deadline has not passed); overloaded → ResourceExhaustedError; precondition →
 * FailedPreconditionError; bad input or missing → InvalidArgumentError / NotFoundError with the field
 * the dependency named. Anything else (INTERNAL, UNIMPLEMENTED, ...) is a bug somewhere in the mesh:
 * returned unchanged, so it ends as INTERNAL and is logged. Values that are not ClientErrors (aborts,
 * bugs) pass through.
 */
export function fromClientError(err: unknown, dependency: string): unknown {
  if (!(err instanceof ClientError)) return err;
  const what = `${dependency}: ${Status[err.code]}: ${err.details}`;
  const sent = sentReason(err);
  const violation =
    err instanceof RichClientError ? err.extra.flatMap((d) => (d.$type === BadRequest.$type ? (d as BadRequest).fieldViolations : []))[0] : undefined;
  const field = violation?.field ?? "";
  const description = violation?.description ?? err.details;
  switch (err.code) {
    case Status.UNAVAILABLE:
    case Status.CANCELLED:
    case Status.ABORTED:
      return new UnavailableError(what, { reason: "DEPENDENCY_UNAVAILABLE", dependency });
    case Status.DEADLINE_EXCEEDED:
      // The dependency's own STREAM_IDLE would be ours to answer for, but the mesh's clients send
      // unary calls or keep their streams fed: a deadline here is the dependency being slow.
      return new UnavailableError(what, { reason: "DEPENDENCY_TIMED_OUT", dependency });
    case Status.RESOURCE_EXHAUSTED:
      return new ResourceExhaustedError(what, reasonFor("resource_exhausted", sent));
    case Status.FAILED_PRECONDITION:
      return new FailedPreconditionError(`${dependency}: ${err.details}`, reasonFor("failed_precondition", sent));
    case Status.INVALID_ARGUMENT:
    case Status.OUT_OF_RANGE:
      return new InvalidArgumentError(field, description, reasonFor("invalid_argument", sent));
    case Status.NOT_FOUND:
      return new NotFoundError(field, description, reasonFor("not_found", sent));
    default:
      return err;
  }
}
