import { InvalidArgument, type PartitionId, StoreConsistency, type StreamPosition } from '@dolittle-ts/fundamentals';
import type { FailingPartition, ProcessingFailure, StreamProcessorState } from './stream-processor-states.js';

/*
 * The one way stream processor states are stored, shared by every adapter, so a state means the same on SQLite and
 * PostgreSQL: JSON with times as integer milliseconds since the epoch (UTC), `null` for "not set", and failing
 * partitions as [partitionId, failure] pairs in the map's order. For example
 *   {"kind":"partitioned","position":12,"lastSuccessfullyProcessed":1714979289010,
 *    "failingPartitions":[["8d2b…",{"position":3,"reason":"…","attempts":1,"retryAt":null,"lastFailed":1714979289010}]]}
 * Stored documents are kept forever: a change to this format must still read every document written before it.
 */

interface StoredFailure {
  readonly reason: string;
  readonly attempts: number;
  readonly retryAt: number | null;
  readonly lastFailed: number;
}

interface StoredFailingPartition extends StoredFailure {
  readonly position: number;
}

type StoredState =
  | {
      readonly kind: 'unpartitioned';
      readonly position: number;
      readonly failure: StoredFailure | null;
      readonly lastSuccessfullyProcessed: number | null;
    }
  | {
      readonly kind: 'partitioned';
      readonly position: number;
      readonly failingPartitions: readonly (readonly [string, StoredFailingPartition])[];
      readonly lastSuccessfullyProcessed: number | null;
    };

/** The state as JSON. Refuses (with `InvalidArgument`) what would not come back as given: NaN times or positions. */
export function encodeStreamProcessorState(state: StreamProcessorState): string {
  const lastSuccessfullyProcessed = encodeTime(state.lastSuccessfullyProcessed, 'state.lastSuccessfullyProcessed');
  const position = encodeCount(state.position, 'state.position');
  let stored: StoredState;
  if (state.kind === 'unpartitioned') {
    stored = {
      kind: 'unpartitioned',
      position,
      failure: state.failure === undefined ? null : encodeFailure(state.failure, 'state.failure'),
      lastSuccessfullyProcessed,
    };
  } else if (state.kind === 'partitioned') {
    const failingPartitions: [string, StoredFailingPartition][] = [];
    for (const [partition, failing] of state.failingPartitions) {
      const field = `state.failingPartitions[${partition}]`;
      failingPartitions.push([
        partition,
        { position: encodeCount(failing.position, `${field}.position`), ...encodeFailure(failing, field) },
      ]);
    }
    stored = { kind: 'partitioned', position, failingPartitions, lastSuccessfullyProcessed };
  } else {
    throw new InvalidArgument('state.kind', `must be "unpartitioned" or "partitioned", not ${JSON.stringify(state)}`);
  }
  return JSON.stringify(stored);
}

/**
 * The state stored as `json`; `StoreConsistency` naming `where` (the processor and its store) when the document is
 * not one `encodeStreamProcessorState` wrote.
 */
export function decodeStreamProcessorState(json: string, where: string): StreamProcessorState {
  let stored: StoredState;
  try {
    stored = JSON.parse(json) as StoredState;
    const lastSuccessfullyProcessed = decodeTime(stored.lastSuccessfullyProcessed);
    const position = decodeCount(stored.position) as StreamPosition;
    if (stored.kind === 'unpartitioned') {
      return {
        kind: 'unpartitioned',
        position,
        failure: stored.failure === null ? undefined : decodeFailure(stored.failure),
        lastSuccessfullyProcessed,
      };
    }
    if (stored.kind === 'partitioned') {
      const failingPartitions = new Map<PartitionId, FailingPartition>();
      for (const [partition, failing] of stored.failingPartitions) {
        if (typeof partition !== 'string') throw new TypeError('a partition id is not a string');
        failingPartitions.set(partition as PartitionId, {
          position: decodeCount(failing.position) as StreamPosition,
          ...decodeFailure(failing),
        });
      }
      return { kind: 'partitioned', position, failingPartitions, lastSuccessfullyProcessed };
    }
    throw new TypeError(`unknown kind ${JSON.stringify((stored as { kind?: unknown }).kind)}`);
  } catch (error) {
    throw new StoreConsistency(
      `${where}: the stored stream processor state is not readable (${error instanceof Error ? error.message : String(error)}): ${json.slice(0, 200)}`,
      { cause: error },
    );
  }
}

function encodeFailure(failure: ProcessingFailure, field: string): StoredFailure {
  return {
    reason: String(failure.reason),
    attempts: encodeCount(failure.attempts, `${field}.attempts`),
    retryAt: encodeTime(failure.retryAt, `${field}.retryAt`),
    lastFailed: encodeTime(failure.lastFailed, `${field}.lastFailed`) ?? missing(`${field}.lastFailed`),
  };
}

function decodeFailure(stored: StoredFailure): ProcessingFailure {
  if (typeof stored.reason !== 'string') throw new TypeError('a failure reason is not a string');
  return {
    reason: stored.reason,
    attempts: decodeCount(stored.attempts),
    retryAt: decodeTime(stored.retryAt),
    lastFailed: decodeTime(stored.lastFailed) ?? missing('lastFailed'),
  };
}

function missing(field: string): never {
  throw new InvalidArgument(field, 'is required');
}

function encodeTime(time: Date | undefined, field: string): number | null {
  if (time === undefined) return null;
  const ms = time instanceof Date ? time.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new InvalidArgument(field, `must be a valid Date, not ${String(time)}`);
  return ms;
}

function decodeTime(ms: number | null): Date | undefined {
  if (ms === null) return undefined;
  if (!Number.isFinite(ms)) throw new TypeError(`a time is not a number of milliseconds: ${JSON.stringify(ms)}`);
  return new Date(ms);
}

function encodeCount(n: number, field: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgument(field, `must be a whole number ≥ 0, not ${n}`);
  return n;
}

function decodeCount(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`a position or count is not a whole number: ${n}`);
  return n;
}
