// Clients for calls the mesh makes: every call has a deadline, message limits match the servers',
// and error details (google.rpc.BadRequest) arrive as RichClientError.
import { type Channel, type ChannelOptions, type CompatServiceDefinition, createChannel, createClientFactory } from "nice-grpc";
import { deadlineMiddleware } from "nice-grpc-client-middleware-deadline";
import { errorDetailsClientMiddleware } from "nice-grpc-error-details";
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

/** A typed client whose calls get `deadlineMs` unless the caller passes its own `deadline`. */
export function createMeshClient<Service extends CompatServiceDefinition>(
  definition: Service,
  channel: Channel,
  { deadlineMs = 30_000 }: { deadlineMs?: number } = {},
) {
  return createClientFactory()
    .use(errorDetailsClientMiddleware)
    .use(deadlineMiddleware)
    .create(definition, channel, { "*": { deadline: deadlineMs } });
}
