/*
 * A bare gRPC client for benchmarks: requests go out as the bytes they were pre-encoded to, responses come back as
 * bytes for the caller to scan. No protobuf objects are built per call, so the load generator's CPU stays small
 * next to the Runtime's.
 */
import { type ChannelOptions, Client, credentials } from '@grpc/grpc-js';
import type { UnaryClient } from './unary-client.js';

const asIs = (bytes: Buffer): Buffer => bytes;

export interface LeanGrpcClientOptions {
  /** `host:port` of the server. */
  readonly address: string;
  /**
   * Distinguishes this client's connection: grpc-js shares one HTTP/2 connection between clients whose channel
   * options are equal, so each client gets its own id (and its own subchannel pool) to get its own connection.
   */
  readonly connectionId: number;
}

export class LeanGrpcClient implements UnaryClient {
  readonly #client: Client;

  constructor(options: LeanGrpcClientOptions) {
    const channelOptions: ChannelOptions = {
      'grpc.use_local_subchannel_pool': 1,
      'grpc-node.bench_connection_id': options.connectionId,
      'grpc.max_receive_message_length': -1,
      'grpc.max_send_message_length': -1,
      // Retries (on by default) keep every message for a possible replay, and channelz counts every call:
      // per-call work a load generator does not want.
      'grpc.enable_retries': 0,
      'grpc.enable_channelz': 0,
    };
    this.#client = new Client(options.address, credentials.createInsecure(), channelOptions);
  }

  /** Resolves once the connection is up, so connecting is not timed as part of the first call. */
  ready(timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#client.waitForReady(Date.now() + timeoutMs, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** One unary call: `request` is sent as it is; the response's bytes come back undecoded. */
  unary(path: string, request: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.#client.makeUnaryRequest(path, asIs, asIs, request, (error, response) => {
        if (error) reject(error);
        else if (response === undefined) reject(new Error(`${path} answered without a message`));
        else resolve(response);
      });
    });
  }

  close(): void {
    this.#client.close();
  }
}
