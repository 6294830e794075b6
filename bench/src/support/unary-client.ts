import { Http2GrpcClient } from './http2-grpc-client.js';
import { LeanGrpcClient } from './lean-grpc-client.js';

/** A unary gRPC caller that sends pre-encoded request bytes and hands back the response's bytes. */
export interface UnaryClient {
  ready(timeoutMs?: number): Promise<void>;
  unary(path: string, request: Buffer): Promise<Buffer>;
  close(): void;
}

/** `grpc-js`: @grpc/grpc-js with pass-through serializers (the default). `http2`: node:http2 directly. */
export type ClientKind = 'grpc-js' | 'http2';

/** `count` clients, each on its own HTTP/2 connection, connected before this resolves. */
export async function connectClients(
  address: string,
  count: number,
  kind: ClientKind = 'grpc-js',
): Promise<UnaryClient[]> {
  const clients: UnaryClient[] = Array.from({ length: count }, (_, i) =>
    kind === 'http2' ? new Http2GrpcClient(address) : new LeanGrpcClient({ address, connectionId: i }),
  );
  await Promise.all(clients.map((client) => client.ready()));
  return clients;
}
