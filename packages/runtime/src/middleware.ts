// Server middleware shared by every service: error mapping, overload rejection, RPC metrics and logs.
import { metrics } from "@opentelemetry/api";
import { type CallContext, ServerError, type ServerMiddlewareCall, Status } from "nice-grpc";
import { isAbortError, toServerError } from "./grpcErrors";
import { ResourceExhaustedError, UnavailableError } from "@sketchvl/errors";
import type { Logger } from "./logger";

const INFRA_PREFIXES = ["/grpc.health.v1.", "/grpc.reflection."];
const isInfra = (path: string) => INFRA_PREFIXES.some((p) => path.startsWith(p));

const meter = metrics.getMeter("sketchvl-mesh");
const rpcDuration = meter.createHistogram("rpc.server.duration", {
  unit: "ms",
  description: "Server-side duration of gRPC calls, by method and status",
});

/** Maps domain errors to statuses (grpcErrors.ts), times every call and logs failures. */
export function observeCalls(logger: Logger) {
  return async function* observe<Req, Res>(call: ServerMiddlewareCall<Req, Res>, context: CallContext) {
    const started = performance.now();
    let code = Status.OK;
    try {
      return yield* call.next(call.request as never, context);
    } catch (err) {
      if (isAbortError(err)) {
        code = Status.CANCELLED;
        throw err;
      }
      const mapped = toServerError(err);
      if (mapped === undefined) {
        code = Status.INTERNAL;
        logger.error({ err, method: call.method.path }, "unhandled error in handler");
        throw new ServerError(Status.INTERNAL, "internal error (logged by the server)");
      }
      code = mapped.code;
      logger.debug({ method: call.method.path, code: Status[code], details: mapped.details }, "call failed");
      throw mapped;
    } finally {
      if (!isInfra(call.method.path)) {
        const ms = performance.now() - started;
        rpcDuration.record(ms, { "rpc.method": call.method.path, "rpc.grpc.status_code": code });
        logger.trace({ method: call.method.path, code: Status[code], ms }, "call");
      }
    }
  };
}

/**
 * Fast rejection under overload: beyond `limit` calls in flight, new calls fail at once with
 * RESOURCE_EXHAUSTED instead of queueing without bound. Health and reflection are never refused.
 */
export function limitInFlight(limit: number) {
  let inFlight = 0;
  const middleware = async function* limited<Req, Res>(call: ServerMiddlewareCall<Req, Res>, context: CallContext) {
    if (isInfra(call.method.path)) return yield* call.next(call.request as never, context);
    if (inFlight >= limit) {
      throw new ResourceExhaustedError(`server busy: ${inFlight} calls in flight (limit ${limit}); retry with backoff`);
    }
    inFlight++;
    try {
      return yield* call.next(call.request as never, context);
    } finally {
      inFlight--;
    }
  };
  meter
    .createObservableGauge("rpc.server.in_flight", { description: "calls being served, against --max-in-flight" })
    .addCallback((result) => result.observe(inFlight, { limit }));
  return { middleware, inFlight: () => inFlight };
}

/**
 * Refuses calls (all but health and reflection) until the service has prepared (loaded its
 * models), as UNAVAILABLE STARTING: retryable, so a client balancing over replicas moves on to a
 * ready one instead of getting a precondition failure from a replica that is not ready yet.
 */
export function startupGate() {
  let open = false;
  const middleware = async function* starting<Req, Res>(call: ServerMiddlewareCall<Req, Res>, context: CallContext) {
    if (!open && !isInfra(call.method.path)) throw new UnavailableError("still starting: not serving yet; retry", { reason: "STARTING" });
    return yield* call.next(call.request as never, context);
  };
  return {
    middleware,
    open: () => {
      open = true;
    },
  };
}

/**
 * Ends long-lived streams (health Watch) at shutdown: grpc-js's graceful shutdown waits for every
 * open call, and a Watch never ends by itself.
 */
export function streamTerminator() {
  const controller = new AbortController();
  const middleware = async function* terminable<Req, Res>(call: ServerMiddlewareCall<Req, Res>, context: CallContext) {
    if (!call.responseStream || !isInfra(call.method.path)) return yield* call.next(call.request as never, context);
    const signal = AbortSignal.any([context.signal, controller.signal]);
    return yield* call.next(call.request as never, { ...context, signal });
  };
  return { middleware, terminate: () => controller.abort() };
}
