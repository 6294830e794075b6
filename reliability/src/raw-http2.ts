/*
 * An HTTP/2 client that writes frames itself over a plain TCP socket. node:http2 is a well-behaved client: it never
 * opens more streams than the server allows (it queues them) and paces pings. To check that the *server* enforces
 * its limits, a test has to misbehave on purpose: open streams past SETTINGS_MAX_CONCURRENT_STREAMS, reset thousands
 * of streams in one burst, flood pings and settings. This client does exactly that and records what came back.
 */
import { connect, type Socket } from 'node:net';

const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export const frameTypes = {
  data: 0x0,
  headers: 0x1,
  rstStream: 0x3,
  settings: 0x4,
  ping: 0x6,
  goaway: 0x7,
  windowUpdate: 0x8,
} as const;

export const errorCodes = {
  noError: 0x0,
  protocolError: 0x1,
  internalError: 0x2,
  refusedStream: 0x7,
  cancel: 0x8,
  enhanceYourCalm: 0xb,
} as const;

export const settingIds = { maxConcurrentStreams: 0x3, initialWindowSize: 0x4 } as const;

/** What the server sent, counted. */
export interface ServerFrames {
  /** SETTINGS_MAX_CONCURRENT_STREAMS from the server's first SETTINGS, if it sent one. */
  maxConcurrentStreams: number | undefined;
  settingsAcks: number;
  pingAcks: number;
  /** Streams the server answered with HEADERS (a response started). */
  readonly answered: Set<number>;
  /** RST_STREAM error code → stream ids. */
  readonly resets: Map<number, number[]>;
  goaway: { lastStreamId: number; errorCode: number; debug: string } | undefined;
  bytesReceived: number;
}

export function frame(type: number, flags: number, streamId: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header.writeUInt8(type, 3);
  header.writeUInt8(flags, 4);
  header.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([header, payload]);
}

export function settingsFrame(entries: readonly (readonly [number, number])[]): Buffer {
  const payload = Buffer.alloc(entries.length * 6);
  entries.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    payload.writeUInt32BE(value, i * 6 + 2);
  });
  return frame(frameTypes.settings, 0, 0, payload);
}

export const settingsAck = (): Buffer => frame(frameTypes.settings, 0x1, 0);
export const pingFrame = (data: Uint8Array): Buffer => frame(frameTypes.ping, 0, 0, Buffer.from(data).subarray(0, 8));
export const rstStreamFrame = (streamId: number, code: number): Buffer => {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(code);
  return frame(frameTypes.rstStream, 0, streamId, payload);
};
export const dataFrame = (streamId: number, payload: Uint8Array, endStream: boolean): Buffer =>
  frame(frameTypes.data, endStream ? 0x1 : 0, streamId, payload);

/**
 * A HEADERS frame (END_HEADERS) for a gRPC POST. HPACK: every field as "literal without indexing, new name", no
 * Huffman, so the encoder needs no table and any server must accept it.
 */
export function grpcHeadersFrame(streamId: number, authority: string, path: string, endStream = false): Buffer {
  const fields: [string, string][] = [
    [':method', 'POST'],
    [':scheme', 'http'],
    [':path', path],
    [':authority', authority],
    ['content-type', 'application/grpc'],
    ['te', 'trailers'],
  ];
  const block = Buffer.concat(
    fields.flatMap(([name, value]) => [Buffer.from([0x00]), hpackString(name), hpackString(value)]),
  );
  return frame(frameTypes.headers, 0x4 | (endStream ? 0x1 : 0), streamId, block);
}

function hpackString(value: string): Buffer {
  const bytes = Buffer.from(value, 'latin1');
  return Buffer.concat([hpackInteger(bytes.length, 7, 0x00), bytes]);
}

function hpackInteger(value: number, prefixBits: number, firstByteFlags: number): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.from([firstByteFlags | value]);
  const out = [firstByteFlags | max];
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return Buffer.from(out);
}

export class RawHttp2Connection {
  readonly socket: Socket;
  readonly seen: ServerFrames = {
    maxConcurrentStreams: undefined,
    settingsAcks: 0,
    pingAcks: 0,
    answered: new Set(),
    resets: new Map(),
    goaway: undefined,
    bytesReceived: 0,
  };
  /** Resolves once the server's SETTINGS arrived (and was acknowledged) and our SETTINGS was acknowledged. */
  readonly ready: Promise<void>;
  /** Resolves when the socket closes, whoever closed it. */
  readonly closed: Promise<void>;
  #buffer: Buffer = Buffer.alloc(0);
  #nextStreamId = 1;
  #listeners: (() => void)[] = [];

  constructor(readonly port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.on('error', () => {});
    let serverSettings = false;
    this.ready = new Promise((resolve, reject) => {
      const check = () => {
        if (serverSettings && this.seen.settingsAcks > 0) resolve();
      };
      this.#listeners.push(check);
      void this.closed.then(() => reject(new Error('the connection closed before the HTTP/2 handshake finished')));
      this.socket.once('connect', () => {
        // Large windows, so what the server sends is never held back by flow control on this side.
        const increment = Buffer.alloc(4);
        increment.writeUInt32BE(2 ** 31 - 1 - 65_535);
        this.write(
          Buffer.concat([
            preface,
            settingsFrame([[settingIds.initialWindowSize, 2 ** 31 - 1]]),
            frame(frameTypes.windowUpdate, 0, 0, increment),
          ]),
        );
      });
      this.#onSettings = () => {
        serverSettings = true;
        check();
      };
    });
    this.socket.on('data', (chunk: Buffer) => this.#onData(chunk));
  }

  #onSettings: () => void = () => {};

  get isOpen(): boolean {
    return !this.socket.destroyed;
  }

  /** The next client stream id (odd, increasing). */
  nextStreamId(): number {
    const id = this.#nextStreamId;
    this.#nextStreamId += 2;
    return id;
  }

  write(bytes: Uint8Array): boolean {
    if (this.socket.destroyed) return false;
    return this.socket.write(bytes);
  }

  /** Writes and waits until the socket drained (or closed), so a flood does not pile up in this process. */
  async writeDrained(bytes: Uint8Array): Promise<void> {
    if (this.write(bytes) || this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
  }

  /** Waits until `condition()` holds (checked on every frame received) or `timeoutMs` passes; returns whether it held. */
  waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const listener = () => {
        if (!condition()) return;
        finish(true);
      };
      const finish = (held: boolean) => {
        clearTimeout(timer);
        this.#listeners = this.#listeners.filter((l) => l !== listener);
        resolve(held);
      };
      const timer = setTimeout(() => finish(condition()), timeoutMs);
      this.#listeners.push(listener);
      void this.closed.then(() => finish(condition()));
    });
  }

  /**
   * Sends a PING and waits for its ACK: the server handles frames in order, so once it answers, it has handled every
   * frame written before. False if the server sent GOAWAY, the connection closed, or `timeoutMs` passed first.
   */
  async roundTrip(timeoutMs = 10_000): Promise<boolean> {
    const acks = this.seen.pingAcks;
    this.write(pingFrame(Buffer.from('roundtrp')));
    await this.waitFor(() => this.seen.pingAcks > acks || this.seen.goaway !== undefined, timeoutMs);
    return this.seen.pingAcks > acks;
  }

  resetCount(code: number): number {
    return this.seen.resets.get(code)?.length ?? 0;
  }

  destroy(): void {
    this.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.seen.bytesReceived += chunk.length;
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 9) {
      const length = this.#buffer.readUIntBE(0, 3);
      if (this.#buffer.length < 9 + length) break;
      const type = this.#buffer.readUInt8(3);
      const flags = this.#buffer.readUInt8(4);
      const streamId = this.#buffer.readUInt32BE(5) & 0x7fffffff;
      const payload = this.#buffer.subarray(9, 9 + length);
      this.#buffer = this.#buffer.subarray(9 + length);
      this.#onFrame(type, flags, streamId, payload);
    }
    for (const listener of [...this.#listeners]) listener();
  }

  #onFrame(type: number, flags: number, streamId: number, payload: Buffer): void {
    switch (type) {
      case frameTypes.settings:
        if (flags & 0x1) {
          this.seen.settingsAcks++;
          return;
        }
        for (let i = 0; i + 6 <= payload.length; i += 6) {
          if (payload.readUInt16BE(i) === settingIds.maxConcurrentStreams)
            this.seen.maxConcurrentStreams = payload.readUInt32BE(i + 2);
        }
        this.write(settingsAck());
        this.#onSettings();
        return;
      case frameTypes.ping:
        if (flags & 0x1) this.seen.pingAcks++;
        else this.write(frame(frameTypes.ping, 0x1, 0, payload));
        return;
      case frameTypes.headers:
        this.seen.answered.add(streamId);
        return;
      case frameTypes.rstStream: {
        const code = payload.readUInt32BE(0);
        const list = this.seen.resets.get(code) ?? [];
        list.push(streamId);
        this.seen.resets.set(code, list);
        return;
      }
      case frameTypes.goaway:
        this.seen.goaway = {
          lastStreamId: payload.readUInt32BE(0) & 0x7fffffff,
          errorCode: payload.readUInt32BE(4),
          debug: payload.subarray(8).toString('utf8'),
        };
        return;
      default:
        return;
    }
  }
}
