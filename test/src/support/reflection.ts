// A grpc.reflection.v1 client, as grpcurl uses it: lists the services a server exposes.
import { createChannel, createClient } from "nice-grpc";
import { ServerReflectionService } from "nice-grpc-server-reflection";
import { ServerReflectionRequest } from "nice-grpc-server-reflection/lib/proto/grpc/reflection/v1/reflection_pb";

export async function listServices(address: string): Promise<string[]> {
  const channel = createChannel(address);
  try {
    const client = createClient(ServerReflectionService, channel);
    async function* requests() {
      yield new ServerReflectionRequest().setListServices("*");
    }
    for await (const response of client.serverReflectionInfo(requests())) {
      return (response.getListServicesResponse()?.getServiceList() ?? []).map((s) => s.getName()).sort();
    }
    return [];
  } finally {
    channel.close();
  }
}

/** The file descriptor that defines `symbol`, as grpcurl `describe` fetches it (names of its services). */
export async function fileContainingSymbol(address: string, symbol: string): Promise<number> {
  const channel = createChannel(address);
  try {
    const client = createClient(ServerReflectionService, channel);
    async function* requests() {
      yield new ServerReflectionRequest().setFileContainingSymbol(symbol);
    }
    for await (const response of client.serverReflectionInfo(requests())) {
      return response.getFileDescriptorResponse()?.getFileDescriptorProtoList().length ?? 0;
    }
    return 0;
  } finally {
    channel.close();
  }
}
