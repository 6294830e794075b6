/*
 * What the two Emmett targets (PostgreSQL and SQLite) do the same way: the appends and the read through Emmett's
 * `EventStore` interface, and running a consumer until it is stopped.
 */
import type { Event, EventStore } from '@event-driven-io/emmett';
import type { BenchEventData, PeerConsumer, PeerTarget } from './target.js';

export type BenchEvent = Event<'BenchEvent', BenchEventData>;

const toEvents = (events: readonly BenchEventData[]): BenchEvent[] =>
  events.map((data) => ({ type: 'BenchEvent', data }));

/**
 * Appends with `appendToStream` (no expected version, except on the read stream, `readStreamName`) and reads the
 * read stream with `readStream`.
 */
export function emmettStreams(
  eventStore: EventStore,
  readStreamName: string,
): Pick<PeerTarget, 'append' | 'appendToReadStream' | 'readStream'> {
  return {
    async append(stream, events) {
      await eventStore.appendToStream<BenchEvent>(`bench-${stream}`, toEvents(events));
    },
    async appendToReadStream(events, expectedVersion) {
      await eventStore.appendToStream<BenchEvent>(readStreamName, toEvents(events), {
        expectedStreamVersion: BigInt(expectedVersion),
      });
    },
    async readStream() {
      const result = await eventStore.readStream<BenchEvent>(readStreamName);
      return result.events.length;
    },
  };
}

/** Starts `consumer`; an error that stops it is added to `failures`. */
export function runEmmettConsumer(
  consumer: { start(): Promise<unknown>; stop(): Promise<unknown> },
  failures: string[],
): PeerConsumer {
  const running = consumer.start();
  running.catch((error: unknown) => {
    failures.push(`the consumer stopped on an error: ${(error as Error).message ?? String(error)}`);
  });
  return {
    async stop() {
      await consumer.stop();
      await running.catch(() => {});
    },
  };
}
