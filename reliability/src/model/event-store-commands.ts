import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import {
  type AggregateRootVersion,
  DolittleError,
  type EventLogSequenceNumber,
  type StreamPosition,
} from '@dolittle-ts/fundamentals';
import type { Commit, CommitOutcome, CommittedEvent, ReceivedEvent } from '@dolittle-ts/store';
import { awkwardContents, producerExecutionContext } from '@dolittle-ts/store/conformance';
import fc from 'fast-check';
import {
  aggregateEventsIn,
  commitToModel,
  type EventStoreModel,
  logOf,
  receiveToModel,
  versionIn,
} from './event-store-model.js';
import {
  aggregateCount,
  eventSourceCount,
  eventTypeCount,
  executionContextCount,
  pick,
  type StoreSession,
  scopeCount,
} from './store-session.js';

/*
 * The commands of the event store's model-based test. Each is plain data (indices into the run's id pools, see
 * StoreSession) and prints as the constructor call that rebuilds it, so a shrunk counterexample that fast-check
 * reports can be pasted into event-store-regressions.int.test.ts as it is.
 *
 * Every command runs on the real store and on the model, and fails the run when an outcome or a read differs from
 * the model in any field; after each one the log lengths of every scope are compared too.
 */

export type EventStoreCommand = fc.AsyncCommand<EventStoreModel, StoreSession>;

export interface PlannedEvent {
  readonly source: number;
  readonly type: number;
  readonly public: boolean;
  /** Index into the conformance suite's awkward contents. */
  readonly content: number;
}

export type PlannedAggregateEvent = Omit<PlannedEvent, 'source'>;

/**
 * The expected version of an aggregate commit, resolved when the commit's turn in its batch comes: the aggregate's
 * current version (after the batch's earlier commits), its version when the batch started, `by` behind (never below
 * 0, so at version 0 this is the current version), `by` ahead, or a fixed number.
 */
export type PlannedVersion =
  | { readonly kind: 'current' }
  | { readonly kind: 'batch-start' }
  | { readonly kind: 'behind'; readonly by: number }
  | { readonly kind: 'ahead'; readonly by: number }
  | { readonly kind: 'exactly'; readonly version: number };

export type PlannedCommit =
  | { readonly kind: 'events'; readonly context: number; readonly events: readonly PlannedEvent[] }
  | {
      readonly kind: 'aggregate';
      readonly context: number;
      readonly aggregate: number;
      readonly expected: PlannedVersion;
      readonly events: readonly PlannedAggregateEvent[];
    };

const epoch = Date.UTC(2024, 0, 1);
const show = (value: unknown) => JSON.stringify(value);
/** At most `max` characters of `value` as JSON, for messages that quote whole answers. */
const brief = (value: unknown, max = 800) => {
  const text = show(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
};

/** Checks every scope's log length and subscription position, cheaply, after any command. */
async function checkCounters(model: EventStoreModel, session: StoreSession, after: string): Promise<void> {
  for (const [index, scope] of session.scopes.entries()) {
    assert.equal(
      await session.store.events.nextSequenceNumber(scope),
      logOf(model, index).length,
      `after ${after}: nextSequenceNumber of scope ${index}`,
    );
    assert.equal(
      await session.store.subscriptions.position(pick(session.subscriptions, index, 'subscription')),
      model.positions[index],
      `after ${after}: the position of the subscription into scope ${index}`,
    );
  }
}

/** Reads a scope's log from `from` to its end in pages of `limit`, checking each page against the model. */
async function checkRead(
  model: EventStoreModel,
  session: StoreSession,
  scope: number,
  from: number,
  limit: number,
): Promise<void> {
  const log = logOf(model, scope);
  let at = from;
  for (;;) {
    const page = await session.store.events.read(pick(session.scopes, scope, 'scope'), {
      from: at as EventLogSequenceNumber,
      limit,
    });
    assert.ok(page.length <= limit, `read(scope ${scope}, from ${at}, limit ${limit}) returned ${page.length} events`);
    if (at >= log.length) {
      assert.deepEqual(page, [], `read(scope ${scope}, from ${at}) past the end (${log.length}) returns nothing`);
      return;
    }
    assert.ok(page.length > 0, `read(scope ${scope}, from ${at}) returned nothing, but the log holds ${log.length}`);
    assert.deepEqual(page, log.slice(at, at + page.length), `read(scope ${scope}, from ${at}, limit ${limit})`);
    at += page.length;
  }
}

async function checkAggregate(model: EventStoreModel, session: StoreSession, index: number): Promise<void> {
  const { rootId, eventSourceId } = pick(session.aggregates, index, 'aggregate');
  const version = versionIn(model, rootId, eventSourceId);
  assert.deepEqual(
    await session.store.events.fetchForAggregate(rootId, eventSourceId),
    { version, events: aggregateEventsIn(model, rootId, eventSourceId) },
    `fetchForAggregate of aggregate ${index}`,
  );
  assert.equal(
    await session.store.events.aggregateVersion(rootId, eventSourceId),
    version,
    `aggregateVersion of aggregate ${index}`,
  );
}

/** Compares everything the store holds with the model: every log, aggregate and subscription position. */
export async function checkWholeStore(model: EventStoreModel, session: StoreSession, after: string): Promise<void> {
  await checkCounters(model, session, after);
  for (let scope = 0; scope < scopeCount; scope++) await checkRead(model, session, scope, 0, 100);
  for (let aggregate = 0; aggregate < aggregateCount; aggregate++) await checkAggregate(model, session, aggregate);
}

function resolveVersion(planned: PlannedVersion, current: number, atBatchStart: number): number {
  switch (planned.kind) {
    case 'current':
      return current;
    case 'batch-start':
      return atBatchStart;
    case 'behind':
      return Math.max(0, current - planned.by);
    case 'ahead':
      return current + planned.by;
    case 'exactly':
      return planned.version;
  }
}

/**
 * A write prepared against the model as it is before it runs: `send` makes the call on the store, `applyTo` applies
 * it to a model and says what the call must then answer (`refused`: reject with StoreConsistency, writing nothing).
 */
export interface PreparedWrite {
  send(): Promise<unknown>;
  applyTo(model: EventStoreModel): WriteExpectation;
}

export type WriteExpectation = { readonly answer: unknown } | 'refused';

const settle = (call: Promise<unknown>): Promise<PromiseSettledResult<unknown>> =>
  call.then(
    (value) => ({ status: 'fulfilled', value }),
    (reason: unknown) => ({ status: 'rejected', reason }),
  );

/** A write that can run alone or side by side with another (see `Concurrently`). */
export interface WriteCommand extends EventStoreCommand {
  prepare(model: EventStoreModel, session: StoreSession): PreparedWrite;
}

/** Why `settled` is not what `expected` says the call must answer; undefined when it is. */
function mismatch(settled: PromiseSettledResult<unknown>, expected: WriteExpectation): string | undefined {
  if (expected === 'refused') {
    if (settled.status === 'fulfilled') return `it must be refused, it answered ${brief(settled.value)}`;
    const error = settled.reason;
    return error instanceof DolittleError && error.code === 'StoreConsistency'
      ? undefined
      : `it must be refused with StoreConsistency, it failed with ${String(error)}`;
  }
  if (settled.status === 'rejected') return `it must answer, it failed with ${String(settled.reason)}`;
  return isDeepStrictEqual(settled.value, expected.answer)
    ? undefined
    : `it answered ${brief(settled.value)}, the model says ${brief(expected.answer)}`;
}

/** Runs one write on the store and the model and checks the answer. */
async function runWrite(command: WriteCommand, model: EventStoreModel, session: StoreSession): Promise<void> {
  const write = command.prepare(model, session);
  const settled = await settle(write.send());
  const expected = write.applyTo(model);
  // The same comparison as `mismatch`, for assert's field-by-field diff.
  if (expected !== 'refused' && settled.status === 'fulfilled') {
    assert.deepEqual(settled.value, expected.answer, `the answer to ${command}`);
  }
  const wrong = mismatch(settled, expected);
  assert.ok(wrong === undefined, `${command}: ${wrong}`);
  countWritten(session, expected);
  await checkCounters(model, session, String(command));
}

function countWritten(session: StoreSession, expected: WriteExpectation): void {
  const { stats } = session;
  if (expected === 'refused') {
    stats.refusedReceives++;
    return;
  }
  const answer = expected.answer as readonly (CommitOutcome | CommittedEvent)[];
  for (const item of answer) {
    if (!('ok' in item)) stats.eventsWritten++;
    else if (item.ok) stats.eventsWritten += item.events.length;
    else if (item.failure.kind === 'NoEventsToCommit') stats.emptyCommits++;
    else stats.conflicts++;
  }
}

/** A batch of commits (any number, also none; each with any number of events, also none) to the default scope. */
export class CommitBatch implements WriteCommand {
  constructor(
    readonly commits: readonly PlannedCommit[],
    readonly occurredMs = 0,
  ) {}

  check = () => true;

  async run(model: EventStoreModel, session: StoreSession): Promise<void> {
    session.stats.count('commit');
    await runWrite(this, model, session);
  }

  prepare(model: EventStoreModel, session: StoreSession): PreparedWrite {
    const occurred = new Date(epoch + this.occurredMs);
    const versionsAtStart = session.aggregates.map((a) => versionIn(model, a.rootId, a.eventSourceId));
    // Built one by one on a copy of the model, so each commit's expected version sees the batch's earlier commits.
    const scratch = structuredClone(model);
    const batch = this.commits.map((planned) => {
      const commit = this.#build(planned, scratch, session, versionsAtStart);
      commitToModel(scratch, [commit], occurred);
      return commit;
    });
    return {
      send: () => session.store.events.commit(batch, { occurred }),
      applyTo: (target) => ({ answer: commitToModel(target, batch, occurred) }),
    };
  }

  #build(
    planned: PlannedCommit,
    model: EventStoreModel,
    session: StoreSession,
    versionsAtStart: readonly number[],
  ): Commit {
    const executionContext = pick(session.contexts, planned.context, 'execution context');
    const type = (index: number) => pick(session.types, index, 'event type');
    const content = (index: number) => pick(awkwardContents, index, 'content');
    if (planned.kind === 'events') {
      return {
        kind: 'events',
        executionContext,
        events: planned.events.map((e) => ({
          eventSourceId: pick(session.eventSources, e.source, 'event source'),
          type: type(e.type),
          public: e.public,
          content: content(e.content),
        })),
      };
    }
    const { rootId, eventSourceId } = pick(session.aggregates, planned.aggregate, 'aggregate');
    const expectedVersion = resolveVersion(
      planned.expected,
      versionIn(model, rootId, eventSourceId),
      versionsAtStart[planned.aggregate] ?? 0,
    );
    return {
      kind: 'aggregate',
      executionContext,
      aggregateRootId: rootId,
      eventSourceId,
      expectedVersion: expectedVersion as AggregateRootVersion,
      events: planned.events.map((e) => ({ type: type(e.type), public: e.public, content: content(e.content) })),
    };
  }

  toString(): string {
    return `new CommitBatch(${show(this.commits)}, ${this.occurredMs})`;
  }
}

/** `fetchForAggregate` and `aggregateVersion` of one aggregate root instance. */
export class FetchForAggregate implements EventStoreCommand {
  constructor(readonly aggregate: number) {}

  check = () => true;

  async run(model: EventStoreModel, session: StoreSession): Promise<void> {
    session.stats.count('fetch');
    await checkAggregate(model, session, this.aggregate);
  }

  toString(): string {
    return `new FetchForAggregate(${this.aggregate})`;
  }
}

/**
 * Reads a scope's log from a position to its end in pages of `limit`. The position is `percent` of the log's length
 * when the command runs (over 100: past the end).
 */
export class ReadLog implements EventStoreCommand {
  constructor(
    readonly scope: number,
    readonly percent: number,
    readonly limit: number,
  ) {}

  check = () => true;

  async run(model: EventStoreModel, session: StoreSession): Promise<void> {
    session.stats.count('read');
    const from = Math.floor((logOf(model, this.scope).length * this.percent) / 100);
    await checkRead(model, session, this.scope, from, this.limit);
  }

  toString(): string {
    return `new ReadLog(${this.scope}, ${this.percent}, ${this.limit})`;
  }
}

export interface PlannedReceivedEvent {
  readonly source: number;
  readonly type: number;
  readonly content: number;
  /** Producer stream positions skipped before this event (a partition of a public stream has gaps). */
  readonly gap: number;
}

/**
 * Event-horizon events received into a scope's log through its subscription (the only writer of a scope other than
 * the default one; into the default scope they interleave with commits). From the stored position they are written
 * and move it; from any other (`ahead`, or `behind` when the position is past 0, else ahead) nothing is written and
 * the receive is refused with StoreConsistency.
 */
export class Receive implements WriteCommand {
  constructor(
    readonly scope: number,
    readonly events: readonly PlannedReceivedEvent[],
    readonly from: 'stored' | 'ahead' | 'behind' = 'stored',
    readonly receivedMs = 0,
  ) {}

  check = () => true;

  async run(model: EventStoreModel, session: StoreSession): Promise<void> {
    session.stats.count('receive');
    await runWrite(this, model, session);
  }

  prepare(model: EventStoreModel, session: StoreSession): PreparedWrite {
    const stored = model.positions[this.scope] ?? 0;
    const from = this.from === 'stored' ? stored : this.from === 'behind' && stored > 0 ? stored - 1 : stored + 1;
    const events: ReceivedEvent[] = [];
    let position = from;
    for (const planned of this.events) {
      position += planned.gap;
      events.push({
        streamPosition: position as StreamPosition,
        producerSequenceNumber: (1000 + position) as EventLogSequenceNumber,
        occurred: new Date(epoch - 1000 * position),
        eventSourceId: pick(session.eventSources, planned.source, 'event source'),
        executionContext: producerExecutionContext(),
        type: pick(session.types, planned.type, 'event type'),
        content: pick(awkwardContents, planned.content, 'content'),
      });
      position++;
    }
    const options = { consentId: session.consentId, received: new Date(epoch + this.receivedMs) };
    const key = pick(session.subscriptions, this.scope, 'subscription');
    return {
      send: () => session.store.subscriptions.receive(key, from as StreamPosition, events, options),
      applyTo: (target) =>
        from === target.positions[this.scope]
          ? { answer: receiveToModel(target, this.scope, events, options) }
          : 'refused',
    };
  }

  toString(): string {
    return `new Receive(${this.scope}, ${show(this.events)}, ${show(this.from)}, ${this.receivedMs})`;
  }
}

/**
 * Two writes prepared against the same model and sent at once, without waiting for the first: the store must
 * answer both as if it had run them one after the other, in one order or the other, and hold what that order
 * leaves. Two receives from the same position: exactly one is written.
 */
export class Concurrently implements EventStoreCommand {
  constructor(
    readonly first: WriteCommand,
    readonly second: WriteCommand,
  ) {}

  check = () => true;

  async run(model: EventStoreModel, session: StoreSession): Promise<void> {
    session.stats.count('concurrently');
    const first = this.first.prepare(model, session);
    const second = this.second.prepare(model, session);
    const [firstSettled, secondSettled] = await Promise.all([settle(first.send()), settle(second.send())]);
    const orders = [
      { name: 'first, second', writes: [first, second], settled: [firstSettled, secondSettled] },
      { name: 'second, first', writes: [second, first], settled: [secondSettled, firstSettled] },
    ] as const;
    const tried: string[] = [];
    for (const order of orders) {
      const candidate = structuredClone(model);
      const expected = order.writes.map((write) => write.applyTo(candidate));
      const wrong = order.settled.flatMap((settled, i) => mismatch(settled, expected[i] as WriteExpectation) ?? []);
      if (wrong.length === 0) {
        adopt(model, candidate);
        for (const e of expected) countWritten(session, e);
        await checkCounters(model, session, String(this));
        return;
      }
      tried.push(`in the order ${order.name}: ${wrong.join('; ')}`);
    }
    assert.fail(`${this} matches neither order:\n  ${tried.join('\n  ')}`);
  }

  toString(): string {
    return `new Concurrently(${this.first}, ${this.second})`;
  }
}

/** Makes `model` what `next` is (commands get the model by reference, so it is changed in place). */
function adopt(model: EventStoreModel, next: EventStoreModel): void {
  model.logs.splice(0, model.logs.length, ...next.logs);
  model.versions.clear();
  for (const [key, version] of next.versions) model.versions.set(key, version);
  model.positions.splice(0, model.positions.length, ...next.positions);
}

/** Closes the store and opens it again from a new provider (a Runtime restart), then compares everything. */
export class Reopen implements EventStoreCommand {
  check = () => true;

  async run(model: EventStoreModel, session: StoreSession): Promise<void> {
    session.stats.count('reopen');
    session.stats.reopens++;
    await session.reopen();
    await checkWholeStore(model, session, String(this));
  }

  toString(): string {
    return 'new Reopen()';
  }
}

export interface CommandLimits {
  readonly maxCommands: number;
}

const plannedEvent = fc.record({
  source: fc.nat({ max: eventSourceCount - 1 }),
  type: fc.nat({ max: eventTypeCount - 1 }),
  public: fc.boolean(),
  content: fc.nat({ max: awkwardContents.length - 1 }),
});

const plannedAggregateEvent = fc.record({
  type: fc.nat({ max: eventTypeCount - 1 }),
  public: fc.boolean(),
  content: fc.nat({ max: awkwardContents.length - 1 }),
});

const plannedVersion: fc.Arbitrary<PlannedVersion> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'current' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'batch-start' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('behind' as const), by: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('ahead' as const), by: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('exactly' as const), version: fc.nat({ max: 6 }) }) },
);

/** Mostly one to three events; sometimes none (an empty commit), sometimes more. */
const eventCount = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 3 }) },
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: 4, max: 12 }) },
);
const eventsOf = <T>(event: fc.Arbitrary<T>) =>
  eventCount.chain((n) => fc.array(event, { minLength: n, maxLength: n }));

const plannedCommit: fc.Arbitrary<PlannedCommit> = fc.oneof(
  fc.record({
    kind: fc.constant('events' as const),
    context: fc.nat({ max: executionContextCount - 1 }),
    events: eventsOf(plannedEvent),
  }),
  fc.record({
    kind: fc.constant('aggregate' as const),
    context: fc.nat({ max: executionContextCount - 1 }),
    aggregate: fc.nat({ max: aggregateCount - 1 }),
    expected: plannedVersion,
    events: eventsOf(plannedAggregateEvent),
  }),
);

const occurredMs = fc.integer({ min: -2_000_000_000_000, max: 4_000_000_000_000 });

/** Command sequences for `fc.commands`: mostly commits, with reads, fetches, receives, concurrent writes and reopens. */
export function eventStoreCommands(limits: CommandLimits): fc.Arbitrary<Iterable<EventStoreCommand>> {
  const commit = fc
    .record({
      commits: fc.oneof(
        { weight: 4, arbitrary: fc.array(plannedCommit, { minLength: 1, maxLength: 1 }) },
        { weight: 3, arbitrary: fc.array(plannedCommit, { minLength: 0, maxLength: 5 }) },
      ),
      occurredMs,
    })
    .map(({ commits, occurredMs }) => new CommitBatch(commits, occurredMs));
  const fetch = fc.nat({ max: aggregateCount - 1 }).map((aggregate) => new FetchForAggregate(aggregate));
  const read = fc
    .record({
      scope: fc.nat({ max: scopeCount - 1 }),
      percent: fc.oneof(fc.constantFrom(0, 100, 150), fc.nat({ max: 100 })),
      limit: fc.oneof(fc.constantFrom(1, 1000), fc.integer({ min: 1, max: 7 })),
    })
    .map(({ scope, percent, limit }) => new ReadLog(scope, percent, limit));
  const receive = fc
    .record({
      scope: fc.nat({ max: scopeCount - 1 }),
      events: fc.array(
        fc.record({
          source: fc.nat({ max: eventSourceCount - 1 }),
          type: fc.nat({ max: eventTypeCount - 1 }),
          content: fc.nat({ max: awkwardContents.length - 1 }),
          gap: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat({ max: 3 }) }),
        }),
        { maxLength: 4 },
      ),
      from: fc.oneof(
        { weight: 5, arbitrary: fc.constant('stored' as const) },
        { weight: 1, arbitrary: fc.constantFrom('ahead' as const, 'behind' as const) },
      ),
      receivedMs: fc.nat({ max: 1_000_000_000 }),
    })
    .map(({ scope, events, from, receivedMs }) => new Receive(scope, events, from, receivedMs));
  const reopen = fc.constant(new Reopen());
  const write = fc.oneof<fc.Arbitrary<WriteCommand>[]>(commit, commit, receive);
  const concurrently = fc.tuple(write, write).map(([first, second]) => new Concurrently(first, second));
  return fc.commands(
    [
      ...Array.from({ length: 6 }, () => commit),
      ...Array.from({ length: 2 }, () => read),
      ...Array.from({ length: 2 }, () => fetch),
      ...Array.from({ length: 2 }, () => receive),
      ...Array.from({ length: 2 }, () => concurrently),
      reopen,
    ],
    { maxCommands: limits.maxCommands, size: 'max' },
  );
}
