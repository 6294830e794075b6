import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  filtered,
  filterKeyOf,
  newPartitionId,
  privateStream,
  publicStream,
  readStream,
  seedEventLog,
  unpartitionedState,
} from '@dolittle-ts/store/conformance';
import Database from 'better-sqlite3';
import { migrate } from './schema.js';
import { SqliteEventStore } from './sqlite-event-store.js';
import { SqliteStreamProcessorStates } from './sqlite-stream-processor-states.js';
import { SqliteStreams } from './sqlite-streams.js';

/** A WAL file at synchronous=FULL, as the tenant store opens it, with every `synchronous` it is set to recorded. */
function durableFile(file: string) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  migrate(db, file);
  const levels: string[] = [];
  const pragma = db.pragma.bind(db);
  db.pragma = ((source: string, options?: Database.PragmaOptions) => {
    const set = /^synchronous\s*=\s*(\w+)$/.exec(source);
    if (set) levels.push(set[1] as string);
    return pragma(source, options);
  }) as typeof db.pragma;
  const states = new SqliteStreamProcessorStates(db, file);
  return { db, levels, events: new SqliteEventStore(db, file), streams: new SqliteStreams(db, file, states) };
}

describe('how stream appends are synced', () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'dolittle-sqlite-stream-sync-'));
  });
  after(() => rm(directory, { recursive: true, force: true }));

  it('commits a private stream at NORMAL and gives the connection back at FULL', async () => {
    const { db, levels, events, streams } = durableFile(join(directory, 'private.sqlite'));
    await seedEventLog(events, 10);
    const stream = privateStream();
    await streams.append(stream, filtered([0, 1, 2]), { key: filterKeyOf(stream), state: unpartitionedState(3) });
    assert.deepEqual(levels, ['NORMAL', '2']);
    assert.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL again');
    assert.equal((await readStream(streams, stream)).length, 3);
    db.close();
  });

  it('syncs every append to a public stream (the event horizon serves them)', async () => {
    const { db, levels, events, streams } = durableFile(join(directory, 'public.sqlite'));
    await seedEventLog(events, 10);
    const stream = publicStream();
    await streams.append(stream, filtered([0, 1]), { key: filterKeyOf(stream), state: unpartitionedState(2) });
    assert.deepEqual(levels, []);
    assert.equal(db.pragma('synchronous', { simple: true }), 2);
    db.close();
  });

  it('gives the connection back at FULL when the append fails', async () => {
    const { db, events, streams } = durableFile(join(directory, 'failing.sqlite'));
    await seedEventLog(events, 5000);
    const stream = privateStream();
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.pragma(`max_page_count = ${pages + 2}`);
    const entries = filtered(
      Array.from({ length: 4000 }, (_, i) => i),
      newPartitionId(),
    );
    await assert.rejects(
      streams.append(stream, entries, { key: filterKeyOf(stream), state: unpartitionedState(4000) }),
    );
    assert.equal(db.pragma('synchronous', { simple: true }), 2);
    db.close();
  });
});
