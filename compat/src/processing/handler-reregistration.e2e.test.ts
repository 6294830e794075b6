// Re-registering an event handler (same id) with other event types: refused when events of an added or removed type
// were already filtered into its stream, accepted when none were; partitioned ↔ unpartitioned is refused too.
// SDK 17 does not log a refused registration above debug level: it retries every second, logging
// `Registering EventHandler <id> with the Runtime.` each time and `… registered with the Runtime …` only on success.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventContext, EventType } from '@dolittle/sdk.events';
import { TenantId } from '@dolittle/sdk.execution';
import type { SdkClient } from '../sdk';
import { newId } from '../support/checks';
import { describeOnEveryStore } from '../support/runtime-suite';
import {
  commitEvents,
  Deliveries,
  eventually,
  freshEventType,
  newEventSource,
  registrationAttempts,
  registrations,
} from './handled-events';

interface HandlerSpec {
  readonly id: string;
  readonly name: string;
  readonly types: readonly EventType[];
  readonly partitioned: boolean;
}

describeOnEveryStore(
  're-registering an event handler with other event types',
  (suite) => {
    const eventStore = () => suite.client.eventStore.forTenant(TenantId.development);

    test('is refused once events of an added or removed type were filtered, and accepted otherwise', async () => {
      const [kept, other, unused] = [freshEventType(), freshEventType(), freshEventType()];
      const ids = { added: newId(), removed: newId(), unusedAdded: newId(), repartitioned: newId() };
      let deliveries = new Deliveries();
      const connect = (specs: readonly HandlerSpec[]): SdkClient =>
        suite.connect((builder) =>
          builder.withEventHandlers((handlers) => {
            for (const spec of specs) {
              handlers.createEventHandler(spec.id, (b) => {
                const methods = spec.partitioned ? b.partitioned() : b.unpartitioned();
                for (const type of spec.types) {
                  methods.handle(type, (event: unknown, context: EventContext) => {
                    deliveries.record(spec.name, event, context);
                  });
                }
              });
            }
          }),
        );

      // First registration, and events of both types filtered by all of them.
      const first = connect([
        { id: ids.added, name: 'added', types: [kept], partitioned: true },
        { id: ids.removed, name: 'removed', types: [kept, other], partitioned: true },
        { id: ids.unusedAdded, name: 'unusedAdded', types: [kept], partitioned: true },
        { id: ids.repartitioned, name: 'repartitioned', types: [kept], partitioned: true },
      ]);
      const source = newEventSource();
      try {
        await commitEvents(eventStore(), [
          { content: { Name: 'kept 0' }, source, type: kept },
          { content: { Name: 'other 0' }, source, type: other },
          { content: { Name: 'kept 1' }, source, type: kept },
        ]);
        await deliveries.waitFor(
          'every handler past all three events',
          (all) =>
            ['added', 'unusedAdded', 'repartitioned'].every(
              (name) => all.filter((d) => d.by === name && d.event.Name === 'kept 1').length > 0,
            ) && all.filter((d) => d.by === 'removed').length >= 3,
        );
      } finally {
        first.close();
      }
      // Let the Runtime see the first client go away.
      await sleep(300);
      // An event of the type 'unusedAdded' is about to add, committed after its filter's position: no conflict.
      await commitEvents(eventStore(), [{ content: { Name: 'unused 0' }, source, type: unused }]);

      // Changed definitions.
      deliveries = new Deliveries();
      const second = connect([
        { id: ids.added, name: 'added', types: [kept, other], partitioned: true },
        { id: ids.removed, name: 'removed', types: [kept], partitioned: true },
        { id: ids.unusedAdded, name: 'unusedAdded', types: [kept, unused], partitioned: true },
        { id: ids.repartitioned, name: 'repartitioned', types: [kept], partitioned: false },
      ]);
      try {
        await eventually('the unchanged-enough handler to register', () => registrations(second, ids.unusedAdded) >= 1);
        await commitEvents(eventStore(), [{ content: { Name: 'kept 2' }, source, type: kept }]);
        await deliveries.waitFor('kept 2 at the accepted handler', (all) =>
          all.some((d) => d.by === 'unusedAdded' && d.event.Name === 'kept 2'),
        );
        // Give the refused ones time to try (the SDK retries every second).
        await eventually(
          'the refused handlers to be retried by the SDK',
          () => [ids.added, ids.removed, ids.repartitioned].every((id) => registrationAttempts(second, id) >= 2),
          5_000,
        );
        await sleep(300);
        assert.deepEqual(
          deliveries.of().map((d) => `${d.by}: ${d.event.Name}`),
          ['unusedAdded: unused 0', 'unusedAdded: kept 2'],
          'only the accepted handler gets events: the added type’s event (committed after its filter position), then the new one; no redelivery after a clean disconnect',
        );
        for (const [name, id] of [
          ['added', ids.added],
          ['removed', ids.removed],
          ['repartitioned', ids.repartitioned],
        ] as const) {
          assert.equal(registrations(second, id), 0, `the SDK reported ${name} (${id}) registered`);
          const refusals = suite.runtime
            .logs()
            .filter((entry) => JSON.stringify(entry).includes(id) && /refus|reject|fail/i.test(JSON.stringify(entry)));
          assert.ok(refusals.length > 0, `the Runtime logged no refusal for ${name} (${id})`);
          const reason = JSON.stringify(refusals.at(-1));
          if (name === 'repartitioned') assert.match(reason, /partitioned/i, reason);
          else assert.match(reason, /event types/i, reason);
        }
        assert.equal(registrations(second, ids.unusedAdded), 1);
      } finally {
        second.close();
      }
      await sleep(300);

      // Back to the first definitions: accepted again, and the handlers go on where they were.
      deliveries = new Deliveries();
      const third = connect([
        { id: ids.added, name: 'added', types: [kept], partitioned: true },
        { id: ids.removed, name: 'removed', types: [kept, other], partitioned: true },
        { id: ids.repartitioned, name: 'repartitioned', types: [kept], partitioned: true },
      ]);
      try {
        await commitEvents(eventStore(), [{ content: { Name: 'kept 3' }, source, type: kept }]);
        await deliveries.waitFor('the restored handlers', (all) =>
          ['added', 'removed', 'repartitioned'].every((name) =>
            all.some((d) => d.by === name && d.event.Name === 'kept 3'),
          ),
        );
        await sleep(300);
        assert.deepEqual(
          deliveries
            .of()
            .map((d) => `${d.by}: ${d.event.Name}`)
            .sort(),
          [
            'added: kept 2',
            'added: kept 3',
            'removed: kept 2',
            'removed: kept 3',
            'repartitioned: kept 2',
            'repartitioned: kept 3',
          ],
          'the restored handlers get what was committed meanwhile, once',
        );
      } finally {
        third.close();
      }
    });
    test('a second head registering the same handler is refused while the first is connected, and takes over after', async () => {
      const type = freshEventType();
      const handlerId = newId();
      const source = newEventSource();
      const deliveries = new Deliveries();
      const head = (name: string) =>
        suite.connect((builder) =>
          builder.withEventHandlers((handlers) =>
            handlers.createEventHandler(handlerId, (b) =>
              b.partitioned().handle(type, (event: unknown, context: EventContext) => {
                deliveries.record(name, event, context);
              }),
            ),
          ),
        );
      const commit = (names: string[]) =>
        commitEvents(
          eventStore(),
          names.map((name) => ({ content: { Name: name }, source, type })),
        );
      const first = head('first');
      let second: SdkClient | undefined;
      try {
        await eventually('the first head to register', () => registrations(first, handlerId) === 1);
        second = head('second');
        await eventually('the second head to try twice', () => registrationAttempts(second!, handlerId) >= 2, 5_000);
        await commit(['e0', 'e1']);
        await deliveries.waitFor('e1 at the first head', (all) => all.some((d) => d.event.Name === 'e1'));
        // (The Runtime does not log this refusal; the SDK retrying every second without success shows it.)
        assert.equal(registrations(second, handlerId), 0, 'the second head was accepted next to the first');
      } finally {
        first.close();
      }
      try {
        await eventually('the second head to take over', () => registrations(second!, handlerId) === 1, 30_000);
        await commit(['e2', 'e3']);
        await deliveries.waitFor('e3 at the second head', (all) => all.some((d) => d.event.Name === 'e3'));
        await sleep(300);
        assert.deepEqual(
          deliveries.of().map((d) => `${d.by}: ${d.event.Name}`),
          ['first: e0', 'first: e1', 'second: e2', 'second: e3'],
        );
      } finally {
        second?.close();
      }
    });
    test('an event handler with the empty id (the event log) is refused', async () => {
      const emptyId = '00000000-0000-0000-0000-000000000000';
      const type = freshEventType();
      const deliveries = new Deliveries();
      const client = suite.connect((builder) =>
        builder.withEventHandlers((handlers) =>
          handlers.createEventHandler(emptyId, (b) =>
            b.partitioned().handle(type, (event: unknown, context: EventContext) => {
              deliveries.record('handler', event, context);
            }),
          ),
        ),
      );
      try {
        await commitEvents(eventStore(), [{ content: { Name: 'x' }, source: newEventSource(), type }]);
        await eventually('the SDK to try twice', () => registrationAttempts(client, emptyId) >= 2, 5_000);
        await sleep(300);
        assert.equal(registrations(client, emptyId), 0, 'the SDK reported the empty-id handler registered');
        assert.deepEqual(deliveries.of(), []);
        const refusal = suite.runtime
          .logs()
          .find((entry) => JSON.stringify(entry).includes(emptyId) && /refus|reject/i.test(JSON.stringify(entry)));
        assert.ok(refusal, 'the Runtime logged no refusal of the empty event handler id');
      } finally {
        client.close();
      }
    });
    test("an event handler and a filter cannot take over each other's stream (same id), with a reason saying so", async () => {
      const type = freshEventType();
      const [handlerFirst, filterFirst] = [newId(), newId()];
      const handler = (id: string) =>
        suite.connect((builder) =>
          builder.withEventHandlers((handlers) =>
            handlers.createEventHandler(id, (b) => b.partitioned().handle(type, () => {})),
          ),
        );
      const filter = (id: string) =>
        suite.connect((builder) =>
          builder.withFilters((filters) =>
            filters.createPrivateFilter(id, (fb) => fb.unpartitioned().handle(() => true)),
          ),
        );
      await commitEvents(eventStore(), [{ content: { Name: 'x' }, source: newEventSource(), type }]);
      // Each id is first used by one kind, which then disconnects; then the other kind tries it.
      for (const [id, first, second] of [
        [handlerFirst, handler, filter],
        [filterFirst, filter, handler],
      ] as const) {
        const owner = first(id);
        try {
          await eventually('the first registration', () => registrations(owner, id) === 1);
        } finally {
          owner.close();
        }
        await sleep(300);
        const intruderStarted = Date.now();
        const intruder = second(id);
        try {
          await eventually(
            'the second registration to be tried twice',
            () => registrationAttempts(intruder, id) >= 2,
            5_000,
          );
          await sleep(300);
          assert.equal(
            registrations(intruder, id),
            0,
            `the ${second === filter ? 'filter' : 'event handler'} took over ${id}`,
          );
        } finally {
          intruder.close();
        }
        // The refusals logged since the intruder connected (only its registration is being refused meanwhile).
        const refusals = suite.runtime
          .logs()
          .filter((entry) => Number(entry.time) >= intruderStarted - 50 && /refus/i.test(String(entry.msg)));
        assert.ok(refusals.length > 0, `the Runtime logged no refusal for ${id}`);
        const reason = String(refusals.at(-1)?.reason ?? JSON.stringify(refusals.at(-1)));
        assert.doesNotMatch(
          reason,
          /Cannot read properties|undefined|is not a function/,
          `a refusal reason that is a crash: ${reason}`,
        );
        assert.match(reason, second === filter ? /event handler/i : /filter/i, reason);
      }
    });
  },
  { timeoutMs: 90_000 },
);
