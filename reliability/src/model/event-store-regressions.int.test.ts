import { after, before, describe, it } from 'node:test';
import {
  CommitBatch,
  Concurrently,
  type EventStoreCommand,
  FetchForAggregate,
  type PlannedAggregateEvent,
  type PlannedCommit,
  type PlannedVersion,
  ReadLog,
  Receive,
  Reopen,
} from './event-store-commands.js';
import { runCommands } from './event-store-property.js';
import { type ModelStorage, modelStorages } from './model-storage.js';

/*
 * Fixed command sequences replayed on every store, each checked against the model exactly as the property checks
 * its generated ones (every outcome, read and fetch, and the whole store at the end).
 *
 * `found` holds the shrunk counterexamples the property reported, pasted as printed (fast-check prints each command
 * as the constructor call that rebuilds it), with the date, the store and what was wrong. `edges` holds the
 * sequences written by hand for the edges most worth pinning down. See README.md.
 */

interface RecordedSequence {
  readonly name: string;
  readonly commands: readonly EventStoreCommand[];
}

const event = (content = 1): PlannedAggregateEvent => ({ type: 0, public: false, content });
const events = (n: number) => Array.from({ length: n }, (_, i) => event(i % 3));
const onAggregate = (aggregate: number, expected: PlannedVersion, count: number): PlannedCommit => ({
  kind: 'aggregate',
  context: 0,
  aggregate,
  expected,
  events: events(count),
});
const exactly = (version: number): PlannedVersion => ({ kind: 'exactly', version });
const current: PlannedVersion = { kind: 'current' };
const plain = (count: number, source = 0): PlannedCommit => ({
  kind: 'events',
  context: 1,
  events: Array.from({ length: count }, (_, i) => ({ source, type: 1, public: i % 2 === 0, content: 4 })),
});

/** Counterexamples found by event-store.model.int.test.ts, shrunk; none so far. */
const found: readonly RecordedSequence[] = [];

const edges: readonly RecordedSequence[] = [
  {
    name: 'a stale expected version after a reopen is refused with the version the store had before it',
    commands: [
      new CommitBatch([onAggregate(0, current, 2)]),
      new Reopen(),
      new CommitBatch([onAggregate(0, exactly(1), 1)]),
      new CommitBatch([onAggregate(0, exactly(0), 1)]),
      new CommitBatch([onAggregate(0, exactly(0), 0)]),
      new FetchForAggregate(0),
      new CommitBatch([onAggregate(0, exactly(2), 1)]),
      new Reopen(),
      new CommitBatch([onAggregate(0, exactly(2), 1)]),
      new FetchForAggregate(0),
    ],
  },
  {
    name: 'a zero-event commit at version 0 is NoEventsToCommit and leaves the aggregate new',
    commands: [
      new CommitBatch([onAggregate(1, exactly(0), 0)]),
      new FetchForAggregate(1),
      new Reopen(),
      new CommitBatch([onAggregate(1, exactly(0), 0), onAggregate(1, exactly(0), 1), onAggregate(1, exactly(0), 0)]),
      new CommitBatch([onAggregate(1, exactly(1), 0), onAggregate(1, exactly(7), 0)]),
      new Reopen(),
      new FetchForAggregate(1),
    ],
  },
  {
    name: 'a future expected version on a new aggregate, after a reopen, is refused with actual 0',
    commands: [new Reopen(), new CommitBatch([onAggregate(2, exactly(1), 1)]), new FetchForAggregate(2)],
  },
  {
    name: 'of commits at the version the batch started at, the first wins and the others see its version',
    commands: [
      new CommitBatch([onAggregate(3, current, 1)]),
      new CommitBatch([
        onAggregate(3, { kind: 'batch-start' }, 2),
        onAggregate(3, { kind: 'batch-start' }, 1),
        plain(1),
        onAggregate(3, current, 1),
        onAggregate(3, { kind: 'batch-start' }, 1),
      ]),
      new Reopen(),
      new FetchForAggregate(3),
    ],
  },
  {
    name: 'an empty batch and an all-failing batch write nothing, and numbering goes on without a gap',
    commands: [
      new CommitBatch([plain(2)]),
      new CommitBatch([]),
      new CommitBatch([plain(0), onAggregate(0, exactly(5), 1), onAggregate(0, exactly(0), 0)]),
      new Reopen(),
      new CommitBatch([plain(1)]),
      new ReadLog(0, 0, 1),
    ],
  },
  {
    name: 'plain events from an aggregate’s event source change neither its version nor its events',
    commands: [
      new CommitBatch([plain(3, 0), onAggregate(0, exactly(0), 1), plain(1, 0), onAggregate(2, exactly(0), 1)]),
      new FetchForAggregate(0),
      new FetchForAggregate(2),
      new Reopen(),
      new FetchForAggregate(0),
    ],
  },
  {
    name: 'events received into the default scope interleave with commits, across a reopen',
    commands: [
      new CommitBatch([plain(2)]),
      new Receive(0, [
        { source: 1, type: 2, content: 5, gap: 0 },
        { source: 2, type: 0, content: 6, gap: 3 },
      ]),
      new CommitBatch([onAggregate(0, current, 1)]),
      new Reopen(),
      new Receive(0, [{ source: 0, type: 1, content: 7, gap: 0 }]),
      new CommitBatch([plain(1)]),
      new ReadLog(0, 50, 2),
    ],
  },
  {
    name: 'a receive from behind or ahead of the stored position, after a reopen, is refused and writes nothing',
    commands: [
      new Receive(1, [{ source: 0, type: 0, content: 0, gap: 2 }]),
      new Reopen(),
      new Receive(1, [{ source: 0, type: 0, content: 0, gap: 0 }], 'behind'),
      new Receive(1, [{ source: 0, type: 0, content: 0, gap: 0 }], 'ahead'),
      new Receive(1, [], 'stored'),
      new Receive(1, [{ source: 3, type: 2, content: 3, gap: 0 }], 'stored'),
      new ReadLog(1, 0, 1),
    ],
  },
  {
    name: 'of two commits sent at once at the same expected version, exactly one wins',
    commands: [
      new Concurrently(new CommitBatch([onAggregate(0, current, 1)]), new CommitBatch([onAggregate(0, current, 2)])),
      new Reopen(),
      new Concurrently(new CommitBatch([onAggregate(0, current, 3)]), new CommitBatch([onAggregate(0, current, 0)])),
      new FetchForAggregate(0),
    ],
  },
  {
    name: 'of two receives sent at once from the same position, exactly one is written',
    commands: [
      new Concurrently(
        new Receive(1, [{ source: 0, type: 0, content: 0, gap: 0 }]),
        new Receive(1, [{ source: 1, type: 1, content: 1, gap: 1 }]),
      ),
      new Reopen(),
      new ReadLog(1, 0, 10),
    ],
  },
  {
    name: 'a commit and a receive into the default scope sent at once number the log without gap or repeat',
    commands: [
      new CommitBatch([plain(1)]),
      new Concurrently(
        new CommitBatch([plain(2), onAggregate(1, current, 1)]),
        new Receive(0, [{ source: 2, type: 2, content: 2, gap: 0 }]),
      ),
      new Concurrently(new Receive(0, [{ source: 3, type: 0, content: 3, gap: 0 }]), new CommitBatch([plain(1)])),
      new Reopen(),
      new CommitBatch([plain(1)]),
    ],
  },
  {
    name: 'reads past the end return nothing, in every scope',
    commands: [new ReadLog(0, 150, 1), new ReadLog(1, 0, 1), new CommitBatch([plain(3)]), new ReadLog(0, 100, 1000)],
  },
];

for (const create of modelStorages) {
  describe(`recorded event store sequences on ${create.name.replace('ModelStorage', '')}`, () => {
    let storage: ModelStorage;
    before(async () => {
      storage = await create();
    });
    after(() => storage?.dispose());

    for (const { name, commands } of [...found, ...edges]) {
      it(name, () => runCommands(storage, commands));
    }
  });
}
