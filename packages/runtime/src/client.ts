// Clients for calls the mesh makes: every call has a deadline, message limits match the servers',
// and error details (google.rpc.BadRequest) arrive as RichClientError.
import { type Channel, type ChannelOptions, type ClientMiddleware, type CompatServiceDefinition, createChannel, createClientFactory } from "nice-grpc";
import { deadlineMiddleware } from "nice-grpc-client-middleware-deadline";
import { errorDetailsClientMiddleware } from "nice-grpc-error-details";
import { fromClientError } from "./grpcErrors";
import { FLOW_CONTROL_WINDOW } from "./server";

export interface ChannelConfig {
  maxMessageBytes?: number;
  /** Extra grpc-js channel options (only documented ones work). */
  options?: ChannelOptions;
}

/**
 * `address` is "host:port" or "dns:///name:port"; with a dns target (a headless Service in
 * Kubernetes) the client balances round-robin over every resolved replica.
 */
export function createMeshChannel(address: string, config: ChannelConfig = {}): Channel {
  const maxBytes = config.maxMessageBytes ?? 64 * 1024 * 1024;
  return createChannel(address, undefined, {
    "grpc.max_receive_message_length": maxBytes,
    "grpc.max_send_message_length": maxBytes,
    "grpc.service_config": JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
    "grpc-node.flow_control_window": FLOW_CONTROL_WINDOW,
    ...config.options,
  });
}

/** Failed calls throw the typed error they mean (fromClientError), naming `dependency`. */
function typedErrorsMiddleware(dependency: string | undefined): ClientMiddleware {
  return async function* typedErrors(call, options) {
    try {
      return yield* call.next(call.request, options);
    } catch (err) {
      throw dependency ? fromClientError(err, dependency) : err;
    }
  };
}

/**
 * A typed client whose calls get `deadlineMs` unless the caller passes its own `deadline`.
 * With `dependency` (a service calling another: "prm"), failed calls throw typed MeshErrors
 * (UnavailableError, FailedPreconditionError, ...) instead of ClientErrors; see fromClientError.
 */
export function createMeshClient<Service extends CompatServiceDefinition>(
  definition: Service,
  channel: Channel,
  { deadlineMs = 30_000, dependency }: { deadlineMs?: number; dependency?: string } = {},
) {
  return (
    createClientFactory()
      .use(errorDetailsClientMiddleware)
      .use(deadlineMiddleware)
      // The last one added is the outermost: it sees the RichClientError the first one made.
      .use(typedErrorsMiddleware(dependency))
      .create(definition, channel, { "*": { deadline: deadlineMs } })
  );
}
