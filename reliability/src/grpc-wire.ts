/*
 * gRPC spoken by hand over node:http2: a request body is whatever bytes the test chooses (random, malformed,
 * oversized), never what a client library agrees to encode, and every answer is reported as it came off the wire:
 * the status code and message from the trailers, the response messages, or how the stream was torn down.
 */
import { type ClientHttp2Session, type ClientHttp2Stream, connect, constants } from 'node:http2';

export interface GrpcAnswer {
  /** The grpc-status, or `undefined` when the stream ended without one (reset, connection lost, timed out). */
  readonly status: number | undefined;
  /** grpc-message, percent-decoded; or what happened to the stream when there was no status. */
  readonly message: string;
  /** The response messages, without their 5-byte prefixes. */
  readonly messages: readonly Buffer[];
  /** Set when the stream was reset (the HTTP/2 error code) instead of ending with a status. */
  readonly resetCode?: number | undefined;
  readonly timedOut: boolean;
}

export interface CallOptions {
  /** How long to wait for the whole answer before giving up (a hang). Default 15 s. */
  readonly timeoutMs?: number;
  /** Extra request headers, e.g. `grpc-encoding`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The 5-byte gRPC prefix (compressed flag, big-endian length) and the body. */
export function frame(body: Uint8Array, options: { compressed?: boolean; declaredLength?: number } = {}): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt8(options.compressed ? 1 : 0, 0);
  prefix.writeUInt32BE(options.declaredLength ?? body.length, 1);
  return Buffer.concat([prefix, body]);
}

/** One HTTP/2 connection to a gRPC server; calls are streams on it. */
export class GrpcConnection {
  readonly session: ClientHttp2Session;
  #closed = false;
  /** Set once the session failed or the server sent GOAWAY. */
  failure: string | undefined;

  /**
   * `maxSessionMemoryMb`: what this client may hold in flight. Large (512 MB by default) so that oversized requests
   * the server stopped reading never make this side refuse the next streams (node's default is 10 MB).
   */
  constructor(port: number, options: { maxSessionMemoryMb?: number } = {}) {
    this.session = connect(`http://127.0.0.1:${port}`, {
      settings: { enablePush: false },
      maxSessionMemory: options.maxSessionMemoryMb ?? 512,
    });
    this.session.on('error', (error) => {
      this.failure = `session error: ${error.message}`;
    });
    this.session.on('goaway', (code) => {
      this.failure = `GOAWAY (code ${code})`;
    });
  }

  get closed(): boolean {
    return this.#closed || this.session.closed || this.session.destroyed;
  }

  /** A unary call: sends `body` framed (or `rawBody` as is), half-closes, and collects the answer. */
  unary(path: string, body: Uint8Array, options: CallOptions = {}): Promise<GrpcAnswer> {
    const stream = this.open(path, options);
    stream.sendRaw(frame(body));
    stream.end();
    return stream.answer;
  }

  /** Sends exactly these bytes as the request body (prefixes included), then half-closes. */
  unaryRaw(path: string, bytes: Uint8Array, options: CallOptions = {}): Promise<GrpcAnswer> {
    const stream = this.open(path, options);
    stream.sendRaw(bytes);
    stream.end();
    return stream.answer;
  }

  /** Opens a (bidirectional) call; messages are sent and read as they come. */
  open(path: string, options: CallOptions = {}): GrpcCall {
    return new GrpcCall(this.session, path, options);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.session.destroyed) this.session.destroy();
  }
}

/** One call on a connection: send framed messages, read messages as they arrive, and the final answer. */
export class GrpcCall {
  readonly stream: ClientHttp2Stream;
  readonly answer: Promise<GrpcAnswer>;
  readonly #listeners: ((message: Buffer) => void)[] = [];
  readonly #messages: Buffer[] = [];
  readonly #waiters: ((message: Buffer | undefined) => void)[] = [];
  #pending: Buffer = Buffer.alloc(0);
  #read = 0;
  #ended = false;

  constructor(session: ClientHttp2Session, path: string, options: CallOptions) {
    this.stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: path,
      [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      te: 'trailers',
      ...options.headers,
    });
    const timeoutMs = options.timeoutMs ?? 15_000;
    this.answer = new Promise<GrpcAnswer>((resolve) => {
      let status: number | undefined;
      let message = '';
      let settled = false;
      const settle = (answer: Omit<GrpcAnswer, 'messages'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#ended = true;
        for (const waiter of this.#waiters.splice(0)) waiter(undefined);
        resolve({ ...answer, messages: this.#messages });
      };
      const timer = setTimeout(() => {
        settle({ status: undefined, message: `no answer within ${timeoutMs} ms`, timedOut: true });
        if (!this.stream.destroyed) this.stream.close(constants.NGHTTP2_CANCEL);
      }, timeoutMs);
      const readStatus = (headers: Record<string, unknown>) => {
        const raw = headers['grpc-status'];
        if (raw === undefined) return;
        status = Number(raw);
        const text = headers['grpc-message'];
        message = typeof text === 'string' ? safeDecode(text) : '';
        // The status ends the call (it comes after every message), even while our side is still open. A turn later,
        // so that messages still in the stream's buffer are read first.
        const final = { status, message, timedOut: false };
        setImmediate(() => {
          settle(final);
          if (!this.stream.destroyed) this.stream.close(constants.NGHTTP2_NO_ERROR);
        });
      };
      this.stream.on('response', readStatus);
      this.stream.on('trailers', readStatus);
      this.stream.on('data', (chunk: Buffer) => this.#onData(chunk));
      this.stream.on('error', (error: Error) => {
        if (status === undefined) message = `stream error: ${error.message}`;
      });
      this.stream.on('close', () => {
        const resetCode = this.stream.rstCode;
        if (status !== undefined) settle({ status, message, timedOut: false });
        else
          settle({
            status: undefined,
            message: message || `stream closed without a status (RST_STREAM code ${resetCode})`,
            resetCode,
            timedOut: false,
          });
      });
    });
  }

  /** Writes one framed message. */
  send(body: Uint8Array): void {
    this.sendRaw(frame(body));
  }

  sendRaw(bytes: Uint8Array): void {
    if (!this.stream.destroyed && !this.stream.writableEnded) this.stream.write(bytes);
  }

  end(): void {
    if (!this.stream.destroyed && !this.stream.writableEnded) this.stream.end();
  }

  cancel(): void {
    if (!this.stream.destroyed) this.stream.close(constants.NGHTTP2_CANCEL);
  }

  /** Called with every response message from now on. */
  onMessage(listener: (message: Buffer) => void): void {
    this.#listeners.push(listener);
  }

  /** The next unread response message, or `undefined` if the call ends (or `timeoutMs` passes) first. */
  nextMessage(timeoutMs = 15_000): Promise<Buffer | undefined> {
    if (this.#read < this.#messages.length) return Promise.resolve(this.#messages[this.#read++]);
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter = (message: Buffer | undefined) => {
        clearTimeout(timer);
        resolve(message);
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        resolve(undefined);
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  #onData(chunk: Buffer): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    while (this.#pending.length >= 5) {
      const length = this.#pending.readUInt32BE(1);
      if (this.#pending.length < 5 + length) return;
      const message = this.#pending.subarray(5, 5 + length);
      this.#pending = this.#pending.subarray(5 + length);
      this.#messages.push(message);
      for (const listener of this.#listeners) listener(message);
      const waiter = this.#waiters.shift();
      if (waiter !== undefined) {
        this.#read++;
        waiter(message);
      }
    }
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** gRPC status names, for diagnostics. */
export const statusNames: Readonly<Record<number, string>> = {
  0: 'OK',
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'DATA_LOSS',
  16: 'UNAUTHENTICATED',
};
