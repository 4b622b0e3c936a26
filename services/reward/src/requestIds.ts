// Lengths of the ids a caller chooses. A request id is kept as a key of the idempotency cache and
// sent on to the trainer; a run id names the trainer's KL window and its state file. Unbounded, a
// megabyte-long id per request would fill memory by ids alone; so both are checked here, before
// anything is remembered, in UTF-8 bytes (the wire's unit).
import { InvalidArgumentError } from "@sketchvl/errors";

export const MAX_REQUEST_ID_BYTES = 256;
/** The trainer keeps a run's window under its id: its own limit is 128 characters. */
export const MAX_RUN_ID_BYTES = 128;

export function checkIds(request: { requestId: string; runId: string }): void {
  const check = (value: string, field: string, limit: number) => {
    const bytes = Buffer.byteLength(value, "utf8");
    if (bytes > limit) throw new InvalidArgumentError(field, `${bytes} bytes; the limit is ${limit} (UTF-8)`, "LIMIT_EXCEEDED");
  };
  check(request.requestId, "request_id", MAX_REQUEST_ID_BYTES);
  check(request.runId, "run_id", MAX_RUN_ID_BYTES);
}
