import assert from 'node:assert/strict';
import {
  asPartitionId,
  asStreamId,
  createGuid,
  defaultScope,
  type EventLogSequenceNumber,
  eventLogStream,
  type PartitionId,
  type ScopeId,
  type StreamId,
  type StreamPosition,
  unspecifiedPartition,
} from '@dolittle-ts/fundamentals';
import type {
  CommittedEvent,
  Definitions,
  EventStore,
  FailingPartition,
  FilteredEvent,
  ProcessingFailure,
  StreamEvent,
  StreamProcessorKey,
  StreamProcessorState,
  StreamProcessorStates,
  StreamRef,
  Streams,
  TenantStore,
} from '../index.js';
import { committedEvents, eventsCommit } from './builders.js';

/*
 * Builders for the processing ports (streams, stream processor states, definitions), shared by their conformance
 * suites and the Runtime's own tests. Every id is fresh unless given.
 */

export const newStreamId = (): StreamId => asStreamId(createGuid());
export const newPartitionId = (): PartitionId => asPartitionId(createGuid());
export const streamPosition = (n: number): StreamPosition => n as StreamPosition;

/** A private stream with a fresh id, in the default scope unless given. */
export function privateStream(scope: ScopeId = defaultScope, stream: StreamId = newStreamId()): StreamRef {
  return { scope, stream, public: false };
}

/** A public stream (what a public filter writes; always in the default scope) with a fresh id unless given. */
export function publicStream(stream: StreamId = newStreamId()): StreamRef {
  return { scope: defaultScope, stream, public: true };
}

/** The key of the filter that writes `stream`: its id is the stream id and its source is the scope's event log. */
export function filterKeyOf(stream: StreamRef): StreamProcessorKey {
  return { scope: stream.scope, processorId: stream.stream, sourceStream: eventLogStream };
}

/** A processor key with fresh ids; every field can be overridden. */
export function newProcessorKey(overrides: Partial<StreamProcessorKey> = {}): StreamProcessorKey {
  return { scope: defaultScope, processorId: createGuid(), sourceStream: newStreamId(), ...overrides };
}

/** Stream entries referring to the given sequence numbers, all in `partition` (the unspecified one by default). */
export function filtered(
  sequenceNumbers: readonly number[],
  partition: PartitionId = unspecifiedPartition,
): FilteredEvent[] {
  return sequenceNumbers.map((n) => ({ partition, sequenceNumber: n as EventLogSequenceNumber }));
}

/** An unpartitioned state at `position`: not failing, never processed anything, unless overridden. */
export function unpartitionedState(
  position: number,
  overrides: { failure?: ProcessingFailure | undefined; lastSuccessfullyProcessed?: Date | undefined } = {},
): StreamProcessorState {
  return {
    kind: 'unpartitioned',
    position: streamPosition(position),
    failure: undefined,
    lastSuccessfullyProcessed: undefined,
    ...overrides,
  };
}

/** A partitioned state at `position` with the given failing partitions (none by default). */
export function partitionedState(
  position: number,
  failingPartitions: Iterable<readonly [PartitionId, FailingPartition]> = [],
  lastSuccessfullyProcessed: Date | undefined = undefined,
): StreamProcessorState {
  return {
    kind: 'partitioned',
    position: streamPosition(position),
    failingPartitions: new Map(failingPartitions),
    lastSuccessfullyProcessed,
  };
}

export function failingPartition(position: number, failure: Partial<ProcessingFailure> = {}): FailingPartition {
  return {
    position: streamPosition(position),
    reason: 'the handler threw',
    attempts: 1,
    retryAt: new Date('2024-05-06T07:08:19.010Z'),
    lastFailed: new Date('2024-05-06T07:08:09.010Z'),
    ...failure,
  };
}

/**
 * Commits `count` plain events (content `{"n":i}`) to the default scope's event log, in batches of at most 1,000,
 * and returns them: the events a test's streams then refer to.
 */
export async function seedEventLog(
  events: EventStore,
  count: number,
  occurred = new Date(),
): Promise<CommittedEvent[]> {
  const committed: CommittedEvent[] = [];
  while (committed.length < count) {
    const size = Math.min(1000, count - committed.length);
    const [outcome] = await events.commit([eventsCommit(size)], { occurred });
    committed.push(...committedEvents(outcome));
  }
  return committed;
}

/** The processing ports of a tenant store. The adapter must provide all three; the test fails if one is missing. */
export interface ProcessingPorts {
  readonly streams: Streams;
  readonly processorStates: StreamProcessorStates;
  readonly definitions: Definitions;
}

export function processingPorts(store: TenantStore): ProcessingPorts {
  const { streams, processorStates, definitions } = store;
  assert.ok(streams !== undefined, `${store.location}: the tenant store has no streams`);
  assert.ok(processorStates !== undefined, `${store.location}: the tenant store has no processorStates`);
  assert.ok(definitions !== undefined, `${store.location}: the tenant store has no definitions`);
  return { streams, processorStates, definitions };
}

/** Reads a whole stream (or one partition of it), page by page; fails the test on an empty page before the end. */
export async function readStream(
  streams: Streams,
  stream: StreamRef,
  options: { readonly pageSize?: number; readonly partition?: PartitionId } = {},
): Promise<StreamEvent[]> {
  const pageSize = options.pageSize ?? 100;
  const all: StreamEvent[] = [];
  let from = 0;
  for (;;) {
    const page = await streams.read(stream, {
      from: streamPosition(from),
      limit: pageSize,
      ...(options.partition === undefined ? {} : { partition: options.partition }),
    });
    assert.ok(page.length <= pageSize, `read returned ${page.length} stream events, more than the limit ${pageSize}`);
    if (page.length === 0) return all;
    for (const event of page) {
      // Also what ends the loop when a store ignores `from`.
      const previous = all.at(-1)?.position ?? -1;
      assert.ok(event.position >= from, `read from ${from} returned position ${event.position}`);
      assert.ok(event.position > previous, `positions come in order: ${event.position} after ${previous}`);
      all.push(event);
    }
    from = (page.at(-1)?.position ?? from) + 1;
  }
}
