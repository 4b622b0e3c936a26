// A request whose bytes do not decode (garbage, a truncated message, groups nested 100k deep) is
// the caller's mistake: INVALID_ARGUMENT. grpc-js answers INTERNAL ("Error deserializing
// request") for any exception its deserializer throws, and offers no option to change that
// (server-interceptors.js, decompressAndMaybePush). So deserializers never throw here: a request
// that fails to decode becomes an UndecodableRequest value, and the middleware below turns it into
// INVALID_ARGUMENT before any handler sees it — for every method of every service startServer adds,
// unary and streaming alike.
import { InvalidArgumentError } from "@sketchvl/errors";
import type { CallContext, ServerError, ServerMiddlewareCall } from "nice-grpc";
import { toServerError } from "./grpcErrors";

/** What a deserializer returns instead of throwing. */
export class UndecodableRequest {
  constructor(readonly reason: string) {}
}

type Decode = (input: Uint8Array) => unknown;

function safely(decode: Decode): Decode {
  return (input) => {
    try {
      return decode(input);
    } catch (err) {
      // A stack overflow (RangeError) from deep nesting is caught here too.
      return new UndecodableRequest(err instanceof Error ? err.message : String(err));
    }
  };
}

interface TsProtoMethod {
  requestType: { decode: Decode };
}

/**
 * The same service definition with deserializers that never throw. Takes both shapes nice-grpc
 * accepts: ts-proto's ({ fullName, methods: { m: { requestType } } }) and the normalized / grpc-js
 * one ({ m: { requestDeserialize } }).
 */
export function withSafeDecoding<D extends object>(definition: D): D {
  const def = definition as Record<string, unknown>;
  if ("fullName" in def && "methods" in def) {
    const methods = def.methods as Record<string, TsProtoMethod>;
    const wrapped = Object.fromEntries(
      Object.entries(methods).map(([name, m]) => [name, { ...m, requestType: { ...m.requestType, decode: safely(m.requestType.decode) } }]),
    );
    return { ...def, methods: wrapped } as D;
  }
  return Object.fromEntries(
    Object.entries(def).map(([name, m]) => {
      const method = m as { requestDeserialize?: Decode };
      return [name, typeof method?.requestDeserialize === "function" ? { ...method, requestDeserialize: safely(method.requestDeserialize) } : m];
    }),
  ) as D;
}

function refuse(path: string, reason: string): ServerError {
  const refusal = new InvalidArgumentError("", `the request to ${path} is not a valid protobuf message of its type: ${reason}`, "MALFORMED_REQUEST");
  return toServerError(refusal)!;
}

async function* checked<T>(messages: AsyncIterable<T>, path: string): AsyncGenerator<T, void, undefined> {
  let index = 0;
  for await (const message of messages) {
    if (message instanceof UndecodableRequest) throw refuse(path, `message ${index}: ${message.reason}`);
    index++;
    yield message;
  }
}

/** Server middleware: an UndecodableRequest (unary) or one in a request stream → INVALID_ARGUMENT. */
export async function* rejectUndecodableRequests<Req, Res>(call: ServerMiddlewareCall<Req, Res>, context: CallContext) {
  if (!call.requestStream) {
    if (call.request instanceof UndecodableRequest) throw refuse(call.method.path, call.request.reason);
    return yield* call.next(call.request as never, context);
  }
  return yield* call.next(checked(call.request as AsyncIterable<unknown>, call.method.path) as never, context);
}
