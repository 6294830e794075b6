/*
 * Ours, through our SDK as its README shows: `DolittleClient.connect` to a Runtime process (remote: the compat
 * harness starts it on a fresh store, log level warn, metrics on) or to a Runtime running in this process
 * (embedded: `startEmbeddedRuntime`, shared by the clients as `{ embedded: { runtime } }`). Appends are
 * `eventStore.commit` (1 event, or 100 events of one event source); the read stream is an aggregate's events
 * (`commitForAggregate` with the expected version, `fetchForAggregate`); the consumer is a partitioned event
 * handler (`defineEventHandler`) on a second client, so it registers after the log is written.
 */
import { randomUUID } from 'node:crypto';
import { testPostgresUrl } from '@dolittle-ts/compat/harness';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '@dolittle-ts/runtime/embedded';
import { DolittleClient, defineEventHandler, defineEventType } from '@dolittle-ts/sdk';
import pg from 'pg';
import { type BenchRuntime, startBenchRuntime } from '../catch-up-setup.js';
import { benchEventTypeId } from '../support/event-store-wire.js';
import type { BenchEventData, PeerConsumer, PeerStore, PeerTarget } from './target.js';

const BenchEvent = defineEventType<BenchEventData>({ id: benchEventTypeId });

export type OursMode = 'remote' | 'embedded';

export interface OursStoreLocation {
  readonly store: PeerStore;
  /** SQLite: the data directory (embedded). PostgreSQL: a fresh database's URL. */
  readonly directory: string;
  readonly postgresUrl: string | undefined;
}

export async function startOursTarget(mode: OursMode, location: OursStoreLocation, label: string): Promise<PeerTarget> {
  let bench: BenchRuntime | undefined;
  let embedded: EmbeddedRuntime | undefined;
  if (mode === 'remote') {
    // A fresh store of its own: a temporary data dir, or a fresh database dropped on dispose.
    bench = await startBenchRuntime({ store: location.store });
  } else {
    embedded = await startEmbeddedRuntime({
      store:
        location.store === 'sqlite'
          ? { kind: 'sqlite', directory: location.directory }
          : { kind: 'postgres', connectionString: location.postgresUrl as string },
    });
  }
  const runtime = bench ? bench.address : { embedded: { runtime: embedded as EmbeddedRuntime } };
  const connected: DolittleClient[] = [];
  const connect = async (options: Omit<Parameters<typeof DolittleClient.connect>[0], 'runtime'> = {}) => {
    const client = await DolittleClient.connect({ runtime, eventTypes: [BenchEvent], ...options });
    connected.push(client);
    return client;
  };
  try {
    const client = await connect();
    const readRoot = randomUUID();
    const readSource = randomUUID();
    return {
      label,
      side: 'ours',
      store: location.store,
      pid: bench?.runtime.pid,
      settings: [
        mode === 'remote'
          ? `a Runtime process (${bench?.location}; log level warn, metrics on), partitions in flight 8 (default); one SDK client (one gRPC channel) shared by the concurrent callers`
          : 'the Runtime in this process (startEmbeddedRuntime), partitions in flight 8 (default); one SDK client shared by the concurrent callers',
        location.store === 'postgres'
          ? 'PostgreSQL connections: 1 writer + a read pool of 4 (defaults)'
          : 'SQLite: one connection (better-sqlite3), group commit',
        'consumer: a partitioned event handler (defineEventHandler) on a second client, registered after the log is written',
      ],
      async append(stream, events) {
        if (events.length === 1) await client.eventStore.commit(BenchEvent, events[0] as BenchEventData, stream);
        else await client.eventStore.commit(events.map((data) => BenchEvent.create(data, stream)));
      },
      async appendToReadStream(events, expectedVersion) {
        await client.eventStore.commitForAggregate(
          readRoot,
          readSource,
          expectedVersion,
          events.map((data) => BenchEvent.create(data)),
        );
      },
      async readStream() {
        return (await client.eventStore.fetchForAggregate(readRoot, readSource)).events.length;
      },
      async startConsumer(onEvent): Promise<PeerConsumer> {
        const handler = defineEventHandler({
          id: randomUUID(),
          events: { BenchEvent },
          handle: {
            BenchEvent: (event) => {
              onEvent(event.order);
            },
          },
        });
        const consumer = await connect({ eventHandlers: [handler] });
        return { stop: () => consumer.close() };
      },
      async describeDurability() {
        if (location.store === 'sqlite') {
          return 'journal_mode=WAL, synchronous=FULL (set by the store; the Runtime refuses to start below FULL)';
        }
        const client = new pg.Client({ connectionString: location.postgresUrl ?? testPostgresUrl() });
        await client.connect();
        try {
          const show = async (name: string) =>
            (await client.query<Record<string, string>>(`SHOW ${name}`)).rows[0]?.[name] ?? '?';
          return `server: fsync=${await show('fsync')}, synchronous_commit=${await show('synchronous_commit')} (the Runtime refuses to start with either off)`;
        } finally {
          await client.end();
        }
      },
      // Our stores are read through the Runtime only; the consumer's count is checked against the acknowledgements.
      inspectStore: async () => undefined,
      incidents: () => [],
      async close() {
        for (const c of connected.splice(0)) await c.close();
        await embedded?.stop();
        await bench?.dispose();
      },
    };
  } catch (error) {
    for (const c of connected.splice(0)) await c.close().catch(() => {});
    await embedded?.stop().catch(() => {});
    await bench?.dispose();
    throw error;
  }
}
