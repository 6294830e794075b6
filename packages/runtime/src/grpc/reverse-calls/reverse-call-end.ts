import { DolittleError } from '@dolittle-ts/fundamentals';

/** Why a reverse call ended. Every call ends exactly once, with exactly one of these. */
export type ReverseCallEnd =
  /** The Runtime called `end()` (e.g. the processor stopped). The client sees status OK. */
  | { readonly kind: 'runtime-ended' }
  /** The Runtime answered the registration with a failure; the client sees it in the connect response. */
  | { readonly kind: 'rejected'; readonly reason: string }
  /** The first message was not a valid registration; rejected before any service code saw it. */
  | { readonly kind: 'invalid-arguments'; readonly reason: string }
  /**
   * The client closed its side of the stream, cancelled the call, or its connection went away. One kind for all
   * three: grpc-js reports a cancel as a half-close followed by 'cancelled', so they cannot be told apart reliably.
   */
  | { readonly kind: 'client-closed' }
  /** Nothing came from the client for 3 × its ping interval. The client sees UNAVAILABLE. */
  | { readonly kind: 'keep-alive-expired'; readonly silentForMs: number }
  /** The stream failed underneath us. */
  | { readonly kind: 'stream-error'; readonly error: unknown }
  /** The Runtime is shutting down (the `signal` given to `acceptReverseCall` was aborted). */
  | { readonly kind: 'shutting-down' };

export function describeEnd(end: ReverseCallEnd): string {
  switch (end.kind) {
    case 'runtime-ended':
      return 'the Runtime ended it';
    case 'rejected':
      return `the registration was rejected (${end.reason})`;
    case 'invalid-arguments':
      return `the registration was invalid (${end.reason})`;
    case 'client-closed':
      return 'the client closed the stream, cancelled the call or disconnected';
    case 'keep-alive-expired':
      return `the client sent nothing for ${end.silentForMs} ms (3 × its ping interval)`;
    case 'stream-error':
      return `the stream failed (${end.error instanceof Error ? end.error.message : String(end.error)})`;
    case 'shutting-down':
      return 'the Runtime is shutting down';
  }
}

/**
 * A call to the client could not complete because the reverse call ended first. Callers (stream processors) treat
 * it as "the processor is gone": stop and unregister; never retry on the same connection.
 *
 * Its code is `Internal` because the closed code set has none for "peer went away"; it never crosses the wire.
 */
export class ReverseCallEnded extends DolittleError {
  readonly method: string;
  readonly end: ReverseCallEnd;
  constructor(method: string, end: ReverseCallEnd) {
    super('Internal', `reverse call ${method} ended: ${describeEnd(end)}`);
    this.method = method;
    this.end = end;
  }
}
