/*
 * An even barer gRPC client, straight on node:http2: one HTTP/2 session, a stream per call, the 5-byte gRPC frame
 * prefix written by hand, `grpc-status` read from the trailers. It exists to show how much of the load generator's
 * CPU is grpc-js's own per-call machinery (call stack, interceptors, retries, channelz): run a scenario with
 * `--client http2` and compare. It speaks only what a unary call against our Runtime needs (no compression, no
 * deadlines, no retries, no name resolution beyond what `http2.connect` does).
 */
import http2 from 'node:http2';
import type { UnaryClient } from './unary-client.js';

const { HTTP2_HEADER_METHOD, HTTP2_HEADER_PATH, HTTP2_HEADER_CONTENT_TYPE, HTTP2_HEADER_TE } = http2.constants;

/** A gRPC status other than OK, or a transport failure. */
export class GrpcCallError extends Error {
  override readonly name = 'GrpcCallError';
  constructor(
    readonly path: string,
    readonly code: number,
    detail: string,
  ) {
    super(`${path} failed with gRPC status ${code}: ${detail}`);
  }
}

export class Http2GrpcClient implements UnaryClient {
  readonly #session: http2.ClientHttp2Session;
  readonly #connected: Promise<void>;

  /** `address` is `host:port`. */
  constructor(address: string) {
    this.#session = http2.connect(`http://${address}`);
    this.#connected = new Promise((resolve, reject) => {
      this.#session.once('connect', () => resolve());
      this.#session.once('error', reject);
    });
    // An error after connecting fails the calls in flight through their streams; keep it from crashing the process.
    this.#session.on('error', () => {});
  }

  async ready(timeoutMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no HTTP/2 connection within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.#connected, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  unary(path: string, request: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const stream = this.#session.request({
        [HTTP2_HEADER_METHOD]: 'POST',
        [HTTP2_HEADER_PATH]: path,
        [HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
        [HTTP2_HEADER_TE]: 'trailers',
      });
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let message = '';
      const readStatus = (headers: http2.IncomingHttpHeaders) => {
        const value = headers['grpc-status'];
        if (value !== undefined) {
          status = String(value);
          message = decodeURIComponent(String(headers['grpc-message'] ?? ''));
        }
      };
      stream.on('response', readStatus); // a trailers-only answer carries the status in its headers
      stream.on('trailers', readStatus);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => reject(new GrpcCallError(path, 14, error.message)));
      stream.on('close', () => {
        if (status !== '0') {
          reject(
            new GrpcCallError(
              path,
              Number(status ?? 2),
              status === undefined ? 'the stream ended without a status' : message,
            ),
          );
          return;
        }
        const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
        if (body.length < 5 || body[0] !== 0) {
          reject(new GrpcCallError(path, 13, 'the response is not one uncompressed gRPC message'));
          return;
        }
        const length = body.readUInt32BE(1);
        resolve(body.subarray(5, 5 + length));
      });
      const frame = Buffer.allocUnsafe(5 + request.length);
      frame[0] = 0;
      frame.writeUInt32BE(request.length, 1);
      request.copy(frame, 5);
      stream.end(frame);
    });
  }

  close(): void {
    this.#session.close();
  }
}
