import { type ExecutionContext, type Guid, InvalidArgument } from '@dolittle-ts/fundamentals';
import { executionContextFromPb, uuidToGuid } from '../convert.js';
import type { ReverseCallProtocol, ReverseCallTypes } from './reverse-call-protocol.js';

/** What the Runtime takes from a client's first message, validated. */
export interface ReverseCallArguments<TArguments> {
  readonly arguments: TArguments;
  readonly executionContext: ExecutionContext;
  readonly headId: Guid;
  /** The interval the Runtime pings at: the client's, clamped to `pingIntervalLimits`. */
  readonly pingIntervalMs: number;
  /** The interval the client asked for, before clamping. */
  readonly requestedPingIntervalMs: number;
}

/**
 * The ping intervals the Runtime honours. A client asking for less than 100 ms is pinged every 100 ms (protects the
 * Runtime from a ping flood; such a client may time out on its side, which is its choice); one asking for more than
 * 60 s is pinged every 60 s (pinging more often than asked is harmless, and its keep-alive deadline is then 3 min
 * rather than hours). Dolittle's SDKs ask for 1 s.
 */
export const pingIntervalLimits = { minMs: 100, maxMs: 60_000 } as const;

/**
 * Reads and validates the first client message. Throws `InvalidArgument` naming the field: the wrong arm first, a
 * missing call context, a missing or non-positive ping interval, a missing execution context or head id, an id that
 * is not 16 bytes.
 */
export function readReverseCallArguments<T extends ReverseCallTypes>(
  protocol: ReverseCallProtocol<T>,
  message: T['clientMessage'],
): ReverseCallArguments<T['arguments']> {
  const field = protocol.argumentsField;
  const args = protocol.argumentsOf(message);
  if (args === undefined) {
    throw new InvalidArgument(
      field,
      `must be the first message on ${protocol.method}, but the first message held ${protocol.armOf(message)}`,
    );
  }
  const context = protocol.argumentsContextOf(args);
  if (context === undefined) throw new InvalidArgument(`${field}.callContext`, 'is missing');
  const interval = context.getPinginterval();
  if (interval === undefined) {
    throw new InvalidArgument(`${field}.callContext.pingInterval`, 'is missing (Dolittle clients send 1 s)');
  }
  const requestedPingIntervalMs = interval.getSeconds() * 1000 + interval.getNanos() / 1e6;
  if (!(requestedPingIntervalMs > 0)) {
    throw new InvalidArgument(
      `${field}.callContext.pingInterval`,
      `must be positive, was ${requestedPingIntervalMs} ms`,
    );
  }
  const executionContext = executionContextFromPb(
    context.getExecutioncontext(),
    `${field}.callContext.executionContext`,
  );
  const headId = uuidToGuid(context.getHeadid(), `${field}.callContext.headId`);
  return {
    arguments: args,
    executionContext,
    headId,
    pingIntervalMs: Math.round(
      Math.min(pingIntervalLimits.maxMs, Math.max(pingIntervalLimits.minMs, requestedPingIntervalMs)),
    ),
    requestedPingIntervalMs,
  };
}
