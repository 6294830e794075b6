/*
 * The reverse-call dispatcher: one implementation of Dolittle's reverse-call protocol (spec §1.3) for every
 * processor kind. The client opens a bidi stream and registers; the Runtime pings, accepts or rejects, then sends
 * requests and matches the client's responses by call id.
 */
import {
  DolittleError,
  type ExecutionContext,
  type Guid,
  guidFromBytes,
  InvalidArgument,
} from '@dolittle-ts/fundamentals';
import { type ServerDuplexStream, status } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ReverseCallRequestContext, Uuid } from '../contracts.js';
import { executionContextToPb } from '../convert.js';
import { failureOf } from '../failures.js';
import { encodeRequestContext } from '../wire/reverse-call-context-encoder.js';
import { onAbort } from './abort-fan-out.js';
import { CallIds } from './call-ids.js';
import { DecodedResponse } from './decoded-responses.js';
import { KeepAlive } from './keep-alive.js';
import { type ReverseCallArguments, readReverseCallArguments } from './reverse-call-arguments.js';
import { type ReverseCallEnd, ReverseCallEnded } from './reverse-call-end.js';
import type { ReverseCallProtocol, ReverseCallTypes } from './reverse-call-protocol.js';
import { ReverseCallWriter } from './reverse-call-writer.js';

export interface AcceptReverseCallOptions {
  readonly logger: Logger;
  /** Tied to shutdown: when aborted, the call ends (status UNAVAILABLE), whatever phase it is in. */
  readonly signal?: AbortSignal;
  /** How long a client may take to send its registration. Default 10 s. */
  readonly firstMessageTimeoutMs?: number;
  /** Told when a call is taken and when it has been fully released; for metrics and leak checks. */
  readonly observer?: ReverseCallObserver;
}

export interface ReverseCallObserver {
  /** A call was handed to `acceptReverseCall`. */
  opened(method: string): void;
  /** The call ended and the dispatcher released every timer and listener it had. Called once per `opened`. */
  closed(method: string, end: ReverseCallEnd): void;
}

export interface ReverseCallOptions {
  /** Aborting gives up on this one call: its promise rejects with `signal.reason`; a late response is ignored. */
  readonly signal?: AbortSignal;
}

/** A registered client, pinged and kept alive from the moment its first message was read. */
export interface ReverseCallConnection<T extends ReverseCallTypes> {
  /** The registration, already checked for a call context, ping interval, execution context and head id. */
  readonly arguments: T['arguments'];
  readonly executionContext: ExecutionContext;
  readonly headId: Guid;
  /** The interval the Runtime pings at (the client's, clamped; see `pingIntervalLimits`). */
  readonly pingIntervalMs: number;
  /** Aborted (reason: `ReverseCallEnded`) when the call ends, for whatever reason. */
  readonly signal: AbortSignal;
  /** Resolves once, with why the call ended. Never rejects. */
  readonly closed: Promise<ReverseCallEnd>;
  /** Writes the connect response; requests may follow. At most one of accept/reject; no-op once ended. */
  accept(response: T['connectResponse']): void;
  /** Writes one connect response with `failureOf(error)` and ends the call. No-op once ended. */
  reject(error: unknown): void;
  /**
   * Sends a request under a new random call id and resolves with the client's response to it. Many calls may be
   * outstanding; responses are matched by call id in any order. Rejects with `ReverseCallEnded` if the call ends
   * first, with `signal.reason` if `options.signal` is aborted first. Only after `accept`.
   */
  call(request: T['request'], executionContext: ExecutionContext, options?: ReverseCallOptions): Promise<T['response']>;
  /**
   * `call` for a request the service encodes itself (the hot paths): `encode` is given the encoded
   * `ReverseCallRequestContext` (the new call id and `executionContext`) and returns the whole server message as
   * protobuf bytes, that context in its request's `callContext`. The bytes are written as they are, so the service's
   * definition must let Buffers through (`acceptingEncodedResponses`).
   */
  callEncoded(
    encode: (requestContext: Uint8Array) => Buffer,
    executionContext: ExecutionContext,
    options?: ReverseCallOptions,
  ): Promise<T['response']>;
  /** Ends the call (status OK); pending calls reject with `ReverseCallEnded`. Idempotent. */
  end(): void;
}

const defaultFirstMessageTimeoutMs = 10_000;

/**
 * Takes over a reverse-call stream: reads and validates the registration, starts pinging, and resolves with the
 * connection. Resolves `undefined` (never rejects) when there is no usable registration: the stream ended first,
 * it did not arrive in time, or it was invalid. The invalid cases were already answered with an `InvalidArgument`
 * failure and the call ended; the service has nothing left to do.
 */
export function acceptReverseCall<T extends ReverseCallTypes>(
  call: ServerDuplexStream<T['clientMessage'], T['serverMessage']>,
  protocol: ReverseCallProtocol<T>,
  options: AcceptReverseCallOptions,
): Promise<ReverseCallConnection<T> | undefined> {
  return new Promise((resolve) => {
    new ReverseCallSession(call, protocol, options, resolve);
  });
}

type Phase = 'awaiting-arguments' | 'registering' | 'accepted' | 'closed';

interface PendingCall<R> {
  readonly resolve: (response: R) => void;
  readonly reject: (error: unknown) => void;
  dispose: () => void;
}

class ReverseCallSession<T extends ReverseCallTypes> {
  readonly #call: ServerDuplexStream<T['clientMessage'], T['serverMessage']>;
  readonly #protocol: ReverseCallProtocol<T>;
  readonly #options: AcceptReverseCallOptions;
  readonly #writer: ReverseCallWriter<T['serverMessage']>;
  readonly #callIds = new CallIds();
  readonly #pending = new Map<number, PendingCall<T['response']>>();
  #connected: ((connection: ReverseCallConnection<T> | undefined) => void) | undefined;
  #phase: Phase = 'awaiting-arguments';
  #firstMessageTimer: NodeJS.Timeout | undefined;
  #keepAlive: KeepAlive | undefined;
  #abort: AbortController | undefined;
  #markClosed: ((end: ReverseCallEnd) => void) | undefined;
  #stopListeningForShutdown: () => void = () => {};
  #end: ReverseCallEnd | undefined;

  constructor(
    call: ServerDuplexStream<T['clientMessage'], T['serverMessage']>,
    protocol: ReverseCallProtocol<T>,
    options: AcceptReverseCallOptions,
    connected: (connection: ReverseCallConnection<T> | undefined) => void,
  ) {
    this.#call = call;
    this.#protocol = protocol;
    this.#options = options;
    this.#connected = connected;
    this.#writer = new ReverseCallWriter(call);
    options.observer?.opened(protocol.method);
    if (options.signal?.aborted) {
      this.#finish({ kind: 'shutting-down' });
      return;
    }
    call.on('data', this.#onData);
    call.on('end', this.#onClientClosed);
    call.on('error', this.#onError);
    call.on('cancelled', this.#onClientClosed);
    call.on('close', this.#onClientClosed);
    if (options.signal !== undefined) this.#stopListeningForShutdown = onAbort(options.signal, this.#onShutdown);
    const timeoutMs = options.firstMessageTimeoutMs ?? defaultFirstMessageTimeoutMs;
    this.#firstMessageTimer = setTimeout(() => {
      this.#rejectInvalid(
        new InvalidArgument(protocol.argumentsField, `was not received within ${timeoutMs} ms of opening the stream`),
      );
    }, timeoutMs);
  }

  get #method(): string {
    return this.#protocol.method;
  }

  readonly #onData = (message: T['clientMessage']): void => {
    if (this.#phase === 'closed') return;
    if (this.#phase === 'awaiting-arguments') {
      this.#onFirstMessage(message);
      return;
    }
    this.#keepAlive?.seen();
    if (message instanceof DecodedResponse) {
      this.#settle(message.callId, message.response as T['response']);
      return;
    }
    if (this.#protocol.isPong(message)) return;
    const response = this.#protocol.responseOf(message);
    if (response === undefined) {
      this.#options.logger.debug(
        { method: this.#method, arm: this.#protocol.armOf(message) },
        'reverse call: ignored a client message that is neither a response nor a pong',
      );
      return;
    }
    const callId = this.#protocol.responseContextOf(response)?.getCallid()?.getValue_asU8();
    if (callId?.length !== 16) {
      this.#options.logger.debug(
        { method: this.#method, reason: callId === undefined ? 'no call id' : `a ${callId.length}-byte call id` },
        'reverse call: ignored a response without a usable call context',
      );
      return;
    }
    this.#settle(callId, response);
  };

  /** Resolves the pending call `callId` names with `response`; a response to no pending call is ignored. */
  #settle(callId: Uint8Array, response: T['response']): void {
    const number = this.#callIds.numberOf(callId);
    const pending = number === undefined ? undefined : this.#pending.get(number);
    if (number === undefined || pending === undefined) {
      this.#options.logger.debug(
        { method: this.#method, callId: guidFromBytes(callId) },
        'reverse call: ignored a response to an unknown call',
      );
      return;
    }
    this.#pending.delete(number);
    pending.dispose();
    pending.resolve(response);
  }

  #onFirstMessage(message: T['clientMessage']): void {
    clearTimeout(this.#firstMessageTimer);
    this.#firstMessageTimer = undefined;
    let args: ReverseCallArguments<T['arguments']>;
    try {
      if (message instanceof DecodedResponse) {
        throw new InvalidArgument(
          this.#protocol.argumentsField,
          `must be the first message on ${this.#method}, but the first message held ${message.arm}`,
        );
      }
      args = readReverseCallArguments(this.#protocol, message);
    } catch (error) {
      this.#rejectInvalid(error);
      return;
    }
    if (args.pingIntervalMs !== args.requestedPingIntervalMs) {
      this.#options.logger.debug(
        { method: this.#method, requestedMs: args.requestedPingIntervalMs, pingingEveryMs: args.pingIntervalMs },
        'reverse call: clamped the client ping interval',
      );
    }
    this.#phase = 'registering';
    // Ping at once, before the service accepts: the client gives up after 3 intervals without a ping or request.
    this.#keepAlive = new KeepAlive({
      pingIntervalMs: args.pingIntervalMs,
      ping: () => this.#writer.writeIfIdle(() => this.#protocol.ping()),
      expired: (silentForMs) => this.#finish({ kind: 'keep-alive-expired', silentForMs }),
    });
    this.#abort = new AbortController();
    const closed = new Promise<ReverseCallEnd>((resolve) => {
      this.#markClosed = resolve;
    });
    const connection: ReverseCallConnection<T> = {
      arguments: args.arguments,
      executionContext: args.executionContext,
      headId: args.headId,
      pingIntervalMs: args.pingIntervalMs,
      signal: this.#abort.signal,
      closed,
      accept: (response) => this.#accept(response),
      reject: (error) => this.#reject(error),
      call: (request, executionContext, options) => this.#request(request, executionContext, options),
      callEncoded: (encode, executionContext, options) => this.#requestEncoded(encode, executionContext, options),
      end: () => this.#finish({ kind: 'runtime-ended' }),
    };
    const connected = this.#connected;
    this.#connected = undefined;
    connected?.(connection);
  }

  #accept(response: T['connectResponse']): void {
    if (this.#phase === 'closed') return;
    if (this.#phase !== 'registering') {
      throw new DolittleError('Internal', `${this.#method}: the registration was already accepted`);
    }
    this.#phase = 'accepted';
    this.#writer.write(this.#protocol.connectResponse(response));
  }

  #reject(error: unknown): void {
    if (this.#phase === 'closed') return;
    if (this.#phase !== 'registering') {
      throw new DolittleError('Internal', `${this.#method}: cannot reject a registration that was accepted`);
    }
    const failure = failureOf(error);
    this.#writeFailedConnectResponse(failure);
    this.#finish({ kind: 'rejected', reason: failure.getReason() });
  }

  #rejectInvalid(error: unknown): void {
    if (this.#phase === 'closed') return;
    const failure = failureOf(error);
    this.#writeFailedConnectResponse(failure);
    this.#finish({ kind: 'invalid-arguments', reason: failure.getReason() });
  }

  /**
   * Straight to the stream, past the writer's queue: nothing but pings can be ahead of it, and the call ends right
   * after, so back-pressure cannot pile anything up behind it.
   */
  #writeFailedConnectResponse(failure: ReturnType<typeof failureOf>): void {
    const call = this.#call;
    if (!call.destroyed && !call.writableEnded) call.write(this.#protocol.failedConnectResponse(failure));
  }

  #request(
    request: T['request'],
    executionContext: ExecutionContext,
    options: ReverseCallOptions | undefined,
  ): Promise<T['response']> {
    return this.#send((callId) => {
      const context = new ReverseCallRequestContext();
      context.setCallid(new Uuid().setValue(callId));
      context.setExecutioncontext(executionContextToPb(executionContext));
      return this.#protocol.request(request, context);
    }, options);
  }

  #requestEncoded(
    encode: (requestContext: Uint8Array) => Buffer,
    executionContext: ExecutionContext,
    options: ReverseCallOptions | undefined,
  ): Promise<T['response']> {
    // The stream writes a Buffer as it is (the definition lets them through); the writer only queues it.
    return this.#send(
      (callId) => encode(encodeRequestContext(callId, executionContext)) as unknown as T['serverMessage'],
      options,
    );
  }

  #send(
    message: (callId: Uint8Array) => T['serverMessage'],
    options: ReverseCallOptions | undefined,
  ): Promise<T['response']> {
    if (this.#phase === 'closed') {
      return Promise.reject(new ReverseCallEnded(this.#method, this.#end ?? { kind: 'runtime-ended' }));
    }
    if (this.#phase !== 'accepted') {
      return Promise.reject(
        new DolittleError('Internal', `${this.#method}: call() before the registration was accepted`),
      );
    }
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const { number, bytes } = this.#callIds.next();
    const written = message(bytes);
    return new Promise<T['response']>((resolve, reject) => {
      const pending: PendingCall<T['response']> = { resolve, reject, dispose: noop };
      if (signal !== undefined) {
        pending.dispose = onAbort(signal, () => {
          if (!this.#pending.delete(number)) return;
          this.#writer.withdraw(written);
          reject(signal.reason);
        });
      }
      this.#pending.set(number, pending);
      this.#writer.write(written);
    });
  }

  // 'end' (half-close), 'cancelled' and 'close' all mean the client is gone; a cancel arrives as 'end' + 'cancelled'.
  readonly #onClientClosed = (): void => this.#finish({ kind: 'client-closed' });
  readonly #onError = (error: unknown): void => this.#finish({ kind: 'stream-error', error });
  readonly #onShutdown = (): void => this.#finish({ kind: 'shutting-down' });

  /** The one way out: releases everything, ends the stream as `end` requires, settles every promise. */
  #finish(end: ReverseCallEnd): void {
    if (this.#phase === 'closed') return;
    this.#phase = 'closed';
    this.#end = end;
    clearTimeout(this.#firstMessageTimer);
    this.#keepAlive?.stop();
    const call = this.#call;
    call.removeListener('data', this.#onData);
    call.removeListener('end', this.#onClientClosed);
    call.removeListener('error', this.#onError);
    call.removeListener('cancelled', this.#onClientClosed);
    call.removeListener('close', this.#onClientClosed);
    this.#stopListeningForShutdown();
    this.#writer.discard();
    this.#endStream(end);

    const error = new ReverseCallEnded(this.#method, end);
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) {
      p.dispose();
      p.reject(error);
    }
    this.#options.logger.debug({ method: this.#method, end: end.kind }, 'reverse call ended');
    const connected = this.#connected;
    this.#connected = undefined;
    connected?.(undefined);
    this.#abort?.abort(error);
    this.#markClosed?.(end);
    this.#options.observer?.closed(this.#method, end);
  }

  #endStream(end: ReverseCallEnd): void {
    const call = this.#call;
    if (call.destroyed || call.writableEnded) return;
    switch (end.kind) {
      case 'stream-error':
        // Nothing can reach the client any more; grpc-js tears the stream down.
        return;
      case 'keep-alive-expired':
        endWithStatus(
          call,
          status.UNAVAILABLE,
          `no message from the client for ${end.silentForMs} ms (3 × its ping interval); reconnect`,
        );
        return;
      case 'shutting-down':
        endWithStatus(call, status.UNAVAILABLE, 'the Runtime is shutting down; reconnect');
        return;
      default:
        call.end();
    }
  }
}

function noop(): void {}

/** grpc-js's documented way for a streaming handler to end with a status: emit 'error' with `code`/`details`. */
function endWithStatus(call: ServerDuplexStream<unknown, unknown>, code: status, details: string): void {
  call.emit('error', Object.assign(new Error(details), { code, details }));
}
