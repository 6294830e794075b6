/*
 * Lean reverse calls (spec §1.3) for the processing benchmarks (catch-up, projection-rebuild): a head that costs
 * little next to the Runtime on a 2-core machine. The registration is built once with Dolittle's contract classes;
 * the Runtime's requests are not decoded but scanned (support/protobuf-wire.ts) for the few fields a head needs;
 * answers are encoded by hand from those fields. `checkAnswerEncoding` decodes one hand-encoded answer with the
 * contract classes, so a wrong field number fails the benchmark at start instead of skewing it.
 *
 * Both services these benchmarks use (EventHandlers.Connect, Projections.Connect) have the same envelopes:
 * Runtime → head `{ registrationResponse = 1; request = 2; ping = 3 }`, head → Runtime
 * `{ registrationRequest = 1; handleResult = 2; pong = 3 }`, and every request starts with
 * `ReverseCallRequestContext callContext = 1 { Uuid callId = 1 { bytes value = 1 } }`.
 */
import { randomUUID } from 'node:crypto';
import http2 from 'node:http2';
import executionContextPb from '@dolittle/contracts/Execution/ExecutionContext_pb.js';
import failurePb from '@dolittle/contracts/Protobuf/Failure_pb.js';
import uuidPb from '@dolittle/contracts/Protobuf/Uuid_pb.js';
import callContextPb from '@dolittle/contracts/Services/CallContext_pb.js';
import reverseCallContextPb from '@dolittle/contracts/Services/ReverseCallContext_pb.js';
import versionPb from '@dolittle/contracts/Versioning/Version_pb.js';
import {
  developmentMicroservice,
  developmentTenant,
  type Guid,
  guidToBytes,
  systemCorrelationId,
  systemTenant,
} from '@dolittle-ts/fundamentals';
import durationPb from 'google-protobuf/google/protobuf/duration_pb.js';
import { type Span, summarizeFields } from './support/protobuf-wire.js';

const { ExecutionContext } = executionContextPb;
const { Failure } = failurePb;
const { Uuid } = uuidPb;
const { ReverseCallArgumentsContext } = reverseCallContextPb;
const { CallRequestContext } = callContextPb;
const { Version } = versionPb;
const { Duration } = durationPb;

export type { Span };

export function uuidOf(guid: string): InstanceType<typeof Uuid> {
  return new Uuid().setValue(guidToBytes(guid as Guid));
}

/**
 * What the official SDK sends as the connect arguments: its base execution context (system tenant and
 * correlation), a fresh head id and a ping interval of 1 s.
 */
export function reverseCallArguments(pingIntervalMs = 1000): InstanceType<typeof ReverseCallArgumentsContext> {
  const context = new ExecutionContext()
    .setMicroserviceid(uuidOf(developmentMicroservice))
    .setTenantid(uuidOf(systemTenant))
    .setVersion(new Version())
    .setCorrelationid(uuidOf(systemCorrelationId))
    .setEnvironment('Bench');
  return new ReverseCallArgumentsContext()
    .setExecutioncontext(context)
    .setHeadid(uuidOf(randomUUID()))
    .setPinginterval(
      new Duration().setSeconds(Math.floor(pingIntervalMs / 1000)).setNanos((pingIntervalMs % 1000) * 1e6),
    );
}

/** What the official SDK sends with a unary call: the caller's execution context (a fresh correlation) and a head id. */
export function callRequestContext(tenant: string = developmentTenant): InstanceType<typeof CallRequestContext> {
  const context = new ExecutionContext()
    .setMicroserviceid(uuidOf(developmentMicroservice))
    .setTenantid(uuidOf(tenant))
    .setVersion(new Version().setMajor(1).setMinor(2).setPatch(3).setPrereleasestring('bench'))
    .setCorrelationid(uuidOf(randomUUID()))
    .setEnvironment('Bench');
  return new CallRequestContext().setExecutioncontext(context).setHeadid(uuidOf(randomUUID()));
}

/** Field `field` holding `parts` (a sub-message or a string's bytes), wire type 2. Fields up to 15. */
export function lengthDelimited(field: number, ...parts: readonly Uint8Array[]): Buffer {
  let length = 0;
  for (const part of parts) length += part.length;
  const header: number[] = [(field << 3) | 2];
  for (let rest = length; ; rest = Math.floor(rest / 128)) {
    if (rest < 128) {
      header.push(rest);
      break;
    }
    header.push((rest % 128) | 0x80);
  }
  const bytes = Buffer.allocUnsafe(header.length + length);
  bytes.set(header, 0);
  let at = header.length;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

/** The first occurrence of length-delimited field `field` inside `span`. */
export function fieldIn(bytes: Uint8Array, span: Span, field: number): Span | undefined {
  return (summarizeFields(bytes, [field], span.start, span.end)[0] as { first: Span | undefined }).first;
}

/** The varint field `field` inside `span`; 0 when absent (proto3 leaves out zero values). */
export function varintIn(bytes: Uint8Array, span: Span, field: number): number {
  return (summarizeFields(bytes, [field], span.start, span.end)[0] as { varint: number | undefined }).varint ?? 0;
}

/** The 16 bytes of a request's `callContext.callId.value`. */
export function callIdOf(bytes: Uint8Array, request: Span): Span {
  const context = fieldIn(bytes, request, 1);
  const uuid = context && fieldIn(bytes, context, 1);
  const value = uuid && fieldIn(bytes, uuid, 1);
  if (value === undefined || value.end - value.start !== 16) throw new Error('a request without a 16-byte callId');
  return value;
}

/** `ReverseCallResponseContext { callId }` as the field-1 sub-message every answer starts with. */
export function responseContext(bytes: Uint8Array, callId: Span): Buffer {
  return lengthDelimited(1, lengthDelimited(1, lengthDelimited(1, bytes.subarray(callId.start, callId.end))));
}

/** A fresh call id (16 bytes at `span` of `bytes`) for `checkAnswerEncoding`s. */
export function randomCallId(): { bytes: Buffer; span: Span; guid: string } {
  const guid = randomUUID();
  return { bytes: Buffer.from(guidToBytes(guid as Guid)), span: { start: 0, end: 16 }, guid };
}

const pong = lengthDelimited(3);

export interface ReverseCallOptions {
  /** `host:port` of the Runtime's private endpoint. */
  readonly address: string;
  /** The method path, from the contracts' service definition. */
  readonly path: string;
  /** The serialised head → Runtime envelope holding the registration request. */
  readonly registration: Uint8Array;
  /** Called for every request (the span of field 2); the head answers through `write`. */
  readonly onRequest: (bytes: Buffer, request: Span) => void;
}

export interface ReverseCall {
  /** Resolves once the Runtime accepted the registration; rejects with its failure or the stream's end. */
  readonly registered: Promise<void>;
  /** Resolves, with what the Runtime said, if the call ends other than by `close()`. */
  readonly ended: Promise<string>;
  /** Sends a serialised head → Runtime envelope. */
  write(bytes: Buffer): void;
  /** Ends the call (the Runtime then unregisters the processor). */
  close(): void;
}

/**
 * Opens the reverse call, sends the registration and answers pings; requests go to `onRequest`. The call goes over
 * node:http2 directly (gRPC framing by hand), on a connection of its own: a head built on @grpc/grpc-js spends more
 * on its own allocations and collections than it takes the Runtime to produce the requests, which shows up in the
 * measured latency.
 */
export function openReverseCall(options: ReverseCallOptions): ReverseCall {
  const session = http2.connect(`http://${options.address}`);
  session.on('error', () => {});
  const stream = session.request({
    [http2.constants.HTTP2_HEADER_METHOD]: 'POST',
    [http2.constants.HTTP2_HEADER_PATH]: options.path,
    [http2.constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
    [http2.constants.HTTP2_HEADER_TE]: 'trailers',
  });
  let closed = false;
  let status: { code: string; message: string } | undefined;
  const readStatus = (headers: http2.IncomingHttpHeaders) => {
    const code = headers['grpc-status'];
    if (code !== undefined)
      status = { code: String(code), message: decodeURIComponent(String(headers['grpc-message'] ?? '')) };
  };
  stream.on('response', readStatus); // a trailers-only answer carries the status in its headers
  stream.on('trailers', readStatus);
  const ended = new Promise<string>((resolve) => {
    stream.on('close', () => {
      if (closed) return;
      resolve(
        status === undefined
          ? `the reverse call ended without a status (HTTP/2 code ${stream.rstCode ?? 'none'})`
          : `the Runtime ended the reverse call: status ${status.code}, ${status.message}`,
      );
    });
  });
  const write = (bytes: Uint8Array) => {
    const frame = Buffer.allocUnsafe(5 + bytes.length);
    frame[0] = 0;
    frame.writeUInt32BE(bytes.length, 1);
    frame.set(bytes, 5);
    stream.write(frame);
  };
  const registered = new Promise<void>((resolve, reject) => {
    const onMessage = (bytes: Buffer) => {
      const [response, request, ping] = summarizeFields(bytes, [1, 2, 3]) as [Field, Field, Field];
      if (request.first !== undefined) {
        options.onRequest(bytes, request.first);
      } else if (ping.count > 0) {
        write(pong);
      } else if (response.count > 0) {
        const failure = response.first && fieldIn(bytes, response.first, 1);
        if (failure === undefined) resolve();
        else {
          const decoded = Failure.deserializeBinary(bytes.subarray(failure.start, failure.end));
          reject(new Error(`the Runtime refused the registration: ${decoded.getReason()}`));
        }
      }
    };
    // gRPC messages: a 0 byte (not compressed), a 4-byte length, the message; they may span DATA frames.
    let pending: Buffer | undefined;
    stream.on('data', (chunk: Buffer) => {
      let buffer = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
      pending = undefined;
      while (buffer.length >= 5) {
        const end = 5 + buffer.readUInt32BE(1);
        if (buffer.length < end) break;
        onMessage(buffer.subarray(5, end));
        buffer = buffer.subarray(end);
      }
      if (buffer.length > 0) pending = buffer;
    });
    stream.on('error', (error: Error) => {
      if (!closed) reject(error);
    });
    stream.on('close', () => reject(new Error('the Runtime ended the reverse call')));
  });
  registered.catch(() => {});
  write(options.registration);
  return {
    registered,
    ended,
    write: (bytes) => {
      if (!closed) write(bytes);
    },
    close: () => {
      closed = true;
      stream.close(http2.constants.NGHTTP2_CANCEL);
      session.close();
    },
  };
}

type Field = ReturnType<typeof summarizeFields>[number];

/** A length-delimited field's bytes as a string. */
export function stringAt(bytes: Buffer, span: Span | undefined): string {
  return span === undefined ? '' : bytes.toString('utf8', span.start, span.end);
}
