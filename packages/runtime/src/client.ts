// Clients for calls the mesh makes: every call has a deadline, message limits match the servers',
// and error details (google.rpc.BadRequest) arrive as RichClientError.
import {
  type Channel,
  type ChannelOptions,
  type ClientMiddleware,
  type CompatServiceDefinition,
  createChannel,
  createClientFactory,
  Metadata,
} from "nice-grpc";
import { PrmServiceDefinition, RendererServiceDefinition } from "@sketchvl/contract";
import { deadlineMiddleware } from "nice-grpc-client-middleware-deadline";
import { errorDetailsClientMiddleware } from "nice-grpc-error-details";
import { fromClientError } from "./grpcErrors";
import type { MeshSecurity } from "./meshSecurity";
import { FLOW_CONTROL_WINDOW } from "./server";
import { withSharedEncoding } from "./messageEncoding";

export interface ChannelConfig {
  maxMessageBytes?: number;
  /** Extra grpc-js channel options (only documented ones work). */
  options?: ChannelOptions;
  /**
   * The process's security (meshSecurity(config)): TLS with its certificate when configured, and
   * its service token on every call of the clients made on this channel. Plaintext without.
   */
  security?: MeshSecurity;
}

// A channel's security, for createMeshClient: the token travels per call (metadata), the channel is
// where callers already say how to reach a service, so that is where they say it once.
const securityOfChannel = new WeakMap<Channel, MeshSecurity>();

/**
 * Calls that are pure or idempotent (drawing, PRM scoring, storing an image by its digest) are
 * retried on UNAVAILABLE, on another replica when round_robin has one: a replica that is draining
 * (SIGTERM) or just lost refuses or drops them, and the answer does not depend on which replica
 * gives it. Other calls (the trainer's, model loading, streams of several messages) are not.
 */
const RETRIED_METHODS = [
  ...[
    RendererServiceDefinition.methods.putImage,
    RendererServiceDefinition.methods.render,
    RendererServiceDefinition.methods.renderTrajectory,
    RendererServiceDefinition.methods.renderTrajectories,
    RendererServiceDefinition.methods.parseSteps,
  ].map((m) => ({ service: RendererServiceDefinition.fullName, method: m.name })),
  ...[PrmServiceDefinition.methods.storeImage, PrmServiceDefinition.methods.scoreSteps].map((m) => ({
    service: PrmServiceDefinition.fullName,
    method: m.name,
  })),
];
const RETRY_BUFFER_PER_CALL = 16 * 1024 * 1024;
const RETRY_BUFFER_PER_CHANNEL = 128 * 1024 * 1024;
const SERVICE_CONFIG = JSON.stringify({
  loadBalancingConfig: [{ round_robin: {} }],
  methodConfig: [
    {
      name: RETRIED_METHODS,
      retryPolicy: { maxAttempts: 3, initialBackoff: "0.05s", maxBackoff: "0.5s", backoffMultiplier: 2, retryableStatusCodes: ["UNAVAILABLE"] },
    },
  ],
});

/**
 * `address` is "host:port" or "dns:///name:port"; with a dns target (a headless Service in
 * Kubernetes) the client balances round-robin over every resolved replica.
 */
export function createMeshChannel(address: string, config: ChannelConfig = {}): Channel {
  const maxBytes = config.maxMessageBytes ?? 64 * 1024 * 1024;
  const channel = createChannel(address, config.security?.channelCredentials(), {
    "grpc.max_receive_message_length": maxBytes,
    "grpc.max_send_message_length": maxBytes,
    "grpc.service_config": SERVICE_CONFIG,
    // A retry resends the request, so grpc-js keeps it until the call commits; beyond these sizes it
    // commits at once and does not retry. PRM calls carry after-images (patches): the 256 KiB
    // default let a drained replica's refusal through as a masked sample.
    "grpc.per_rpc_retry_buffer_size": RETRY_BUFFER_PER_CALL,
    "grpc.retry_buffer_size": RETRY_BUFFER_PER_CHANNEL,
    "grpc-node.flow_control_window": FLOW_CONTROL_WINDOW,
    ...config.options,
  });
  if (config.security) securityOfChannel.set(channel, config.security);
  return channel;
}

/** Adds the process's service token to calls that carry no authorization of their own. */
function serviceTokenMiddleware(security: MeshSecurity | undefined): ClientMiddleware {
  return async function* withServiceToken(call, options) {
    const authorization = security?.authorization();
    if (authorization === undefined || options.metadata?.has("authorization")) return yield* call.next(call.request, options);
    const metadata = Metadata(options.metadata);
    metadata.set("authorization", authorization);
    return yield* call.next(call.request, { ...options, metadata });
  };
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
      .use(serviceTokenMiddleware(securityOfChannel.get(channel)))
      // The last one added is the outermost: it sees the RichClientError the first one made.
      .use(typedErrorsMiddleware(dependency))
      .create(withSharedEncoding(definition), channel, { "*": { deadline: deadlineMs } })
  );
}
