// The SDK's behaviour suite, run once against a real Runtime process (remote, gRPC) and once in-process (embedded).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  AggregateRootConcurrencyConflict,
  DolittleSdkError,
  FailedToDeleteEmbedding,
  FailedToUpdateEmbedding,
  InvalidEventContent,
  NoEmbeddingRegisteredForTenant,
  RegistrationFailed,
} from './errors.js';
import { defineEventHandler } from './event-handlers.js';
import { defineFilter, definePublicFilter, isEvent } from './filters.js';
import { retryAfter } from './processing/retry-policy.js';
import { defineProjection, fromEventSource, fromProperty } from './projections.js';
import {
  type Employee,
  EmployeeHired,
  EmployeeRetired,
  EmployeeTransferred,
  employeeEmbedding,
} from './test-support/employees.js';
import { ChefHired, DishPrepared, IngredientsRestocked, Kitchen, newId } from './test-support/kitchen.js';
import { describeInEveryMode } from './test-support/modes.js';
import { eventually } from './testing/in-process-runtime.js';

const otherTenant = '7f1c7a8e-9a3b-4c39-8f5d-2a1f8c1e0b77';
/** Dolittle's event source id of the embedding key "" (CityHash128 of no bytes, as a .NET Guid). */
const emptyKeyEventSource = '64c09a2b-9dfc-3df0-291e-e592c340b53c';

describeInEveryMode('the client', (mode) => {
  it('commits events and hands them, typed, to an event handler partitioned by event source', async () => {
    const kitchen = newId();
    const seen: { dish: string; partition: string; eventSourceId: string; tenant: string }[] = [];
    const handler = defineEventHandler({
      id: newId(),
      events: { DishPrepared },
      handle: {
        DishPrepared: (event, context) => {
          if (context.eventSourceId !== kitchen) return;
          seen.push({
            dish: event.Dish,
            partition: context.partition,
            eventSourceId: context.eventSourceId,
            tenant: context.tenant,
          });
        },
      },
    });
    const client = await mode().connect({ eventHandlers: [handler] });
    const committed = await client.eventStore.commit(
      DishPrepared,
      { Dish: 'Bean Blaster Taco', Chef: 'Mr. Taco' },
      kitchen,
    );
    assert.equal(committed.content.Dish, 'Bean Blaster Taco');
    assert.equal(committed.eventSourceId, kitchen);
    assert.deepEqual(committed.type, DishPrepared.artifact);
    assert.equal(committed.executionContext.tenantId, client.defaultTenant);
    await eventually(() => seen.length === 1);
    assert.deepEqual(seen[0], {
      dish: 'Bean Blaster Taco',
      partition: kitchen,
      eventSourceId: kitchen,
      tenant: client.defaultTenant,
    });
  });

  it('commits batches and public events, and fetches an event source’s aggregate events', async () => {
    const client = await mode().connect();
    const source = newId();
    const batch = await client.eventStore.commit([
      DishPrepared.create({ Dish: 'Taco', Chef: 'A' }, source),
      IngredientsRestocked.create({ amount: 3 }, source),
    ]);
    assert.deepEqual(
      batch.map((e) => e.public),
      [false, true],
    );
    assert.equal(batch[1]!.sequenceNumber, batch[0]!.sequenceNumber + 1);
    const published = await client.eventStore.commitPublic(DishPrepared, { Dish: 'Nacho', Chef: 'B' }, source);
    assert.equal(published.public, true);
    await assert.rejects(client.eventStore.commit([]), (e: DolittleSdkError) => e.code === 'NoEventsToCommit');
    await assert.rejects(
      client.eventStore.commit(DishPrepared, { Dish: 'x', Chef: 'y' }, 'not-a-guid'),
      (e: DolittleSdkError) => e.code === 'InvalidArgument' && /eventSourceId/.test(e.message),
    );
  });

  it('runs aggregate commands: apply changes the state at once, commits with the loaded version', async () => {
    const client = await mode().connect();
    const kitchen = client.aggregates.get(Kitchen, newId());
    const first = await kitchen.prepareDish({ dish: 'Bean Blaster Taco', chef: 'Mr. Taco' });
    assert.equal(first.result, 1);
    assert.equal(first.version, 1);
    assert.deepEqual(first.state, { ingredients: 1, prepared: ['Bean Blaster Taco'] });
    assert.equal(first.events.length, 1);
    await kitchen.prepareDish({ dish: 'Avocado Artillery Tortilla', chef: 'Mrs. Tex Mex' });
    await assert.rejects(kitchen.prepareDish({ dish: 'x', chef: 'y' }), /We have run out of ingredients, sorry!/);
    const loaded = await kitchen.load();
    assert.deepEqual(loaded, {
      state: { ingredients: 0, prepared: ['Bean Blaster Taco', 'Avocado Artillery Tortilla'] },
      version: 2,
    });
    const restocked = await kitchen.restock(5);
    assert.equal(restocked.version, 3);
    assert.equal((await kitchen.load()).state.ingredients, 5);
    const fetched = await client.eventStore.fetchForAggregate(Kitchen.id, kitchen.eventSourceId);
    assert.equal(fetched.version, 3);
    assert.deepEqual(
      fetched.events.map((e) => e.type.id),
      [DishPrepared.id, DishPrepared.id, IngredientsRestocked.id],
    );
  });

  it('rejects a stale aggregate commit with AggregateRootConcurrencyConflict, and retries when asked', async () => {
    const client = await mode().connect();
    const id = newId();
    const kitchen = client.aggregates.get(Kitchen, id);
    await kitchen.restock(10);
    let interfered = false;
    const interfere = async () => {
      if (interfered) return;
      interfered = true;
      await client.aggregates.get(Kitchen, id).prepareDish({ dish: 'Sneaky', chef: 'Other' });
    };
    const conflict = await kitchen
      .perform(async (k) => {
        await interfere();
        k.apply(DishPrepared, { Dish: 'Mine', Chef: 'Me' });
      })
      .then(
        () => assert.fail('expected a conflict'),
        (error: unknown) => error,
      );
    assert.ok(conflict instanceof AggregateRootConcurrencyConflict, String(conflict));
    assert.equal(conflict.code, 'AggregateRootConcurrencyConflict');
    assert.equal(conflict.expected, 1);
    assert.equal(conflict.actual, 2);
    assert.equal(conflict.failureId, 'f25cccfb-3ae1-4969-bee6-906370ffbc2d');

    interfered = false;
    let runs = 0;
    const done = await kitchen.perform(
      async (k) => {
        runs += 1;
        await interfere();
        k.apply(DishPrepared, { Dish: 'Mine', Chef: 'Me' });
      },
      { retry: 2 },
    );
    assert.equal(runs, 2);
    assert.equal(done.version, 4);
    assert.deepEqual(done.state.prepared, ['Sneaky', 'Sneaky', 'Mine']);
  });

  it('keeps projections, keyed by property or event source; get and getAll are typed', async () => {
    const DishCounter = defineProjection({
      id: newId(),
      events: { DishPrepared },
      initial: { name: '', numberOfTimesPrepared: 0 },
      on: {
        DishPrepared: {
          key: fromProperty('Dish'),
          project: (counter, event) => ({ name: event.Dish, numberOfTimesPrepared: counter.numberOfTimesPrepared + 1 }),
        },
      },
    });
    const Pantry = defineProjection({
      id: newId(),
      events: { IngredientsRestocked, DishPrepared },
      initial: { stock: 0 },
      on: {
        IngredientsRestocked: {
          key: fromEventSource(),
          project: (pantry, event) => ({ stock: pantry.stock + event.amount }),
        },
        DishPrepared: {
          key: fromEventSource(),
          project: (pantry, _event, context) =>
            pantry.stock <= 1 && context.readModel === 'persisted' ? 'delete' : { stock: pantry.stock - 1 },
        },
      },
    });
    const client = await mode().connect({ projections: [DishCounter, Pantry] });
    const dish = `Taco ${newId()}`;
    const kitchen = newId();
    assert.deepEqual(await client.projections.get(DishCounter, dish), {
      key: dish,
      state: { name: '', numberOfTimesPrepared: 0 },
      type: 'initial',
    });
    await client.eventStore.commit(DishPrepared, { Dish: dish, Chef: 'A' }, kitchen);
    await client.eventStore.commit(DishPrepared, { Dish: dish, Chef: 'B' }, kitchen);
    await client.eventStore.commit(IngredientsRestocked, { amount: 2 }, kitchen);
    const counted = await eventually(async () => {
      const read = await client.projections.get(DishCounter, dish);
      return read.state.numberOfTimesPrepared === 2 && read;
    });
    assert.equal(counted.type, 'persisted');
    assert.equal(counted.state.name, dish);
    const all = await client.projections.getAll(DishCounter);
    assert.deepEqual(all.get(dish), { name: dish, numberOfTimesPrepared: 2 });
    await eventually(async () => (await client.projections.get(Pantry, kitchen)).state.stock === 2);
    await client.eventStore.commit(DishPrepared, { Dish: dish, Chef: 'C' }, kitchen);
    await client.eventStore.commit(DishPrepared, { Dish: dish, Chef: 'D' }, kitchen);
    await eventually(async () => (await client.projections.get(Pantry, kitchen)).type === 'initial');
    assert.equal((await client.projections.getAll(Pantry)).has(kitchen), false);
  });

  it('runs private (partitioned) and public filters over the event log', async () => {
    const privateSeen: string[] = [];
    const publicSeen: string[] = [];
    const source = newId();
    const filter = defineFilter({
      id: newId(),
      partitioned: true,
      filter: (event) => {
        if (event.eventSourceId === source) privateSeen.push(event.type.id);
        return isEvent(DishPrepared, event) && event.content.Chef === 'Mr. Taco';
      },
    });
    const publicFilter = definePublicFilter({
      id: newId(),
      filter: (event) => {
        if (event.eventSourceId === source) publicSeen.push(event.type.id);
        return { included: true, partition: event.eventSourceId };
      },
    });
    const client = await mode().connect({ filters: [filter, publicFilter] });
    await client.eventStore.commit(DishPrepared, { Dish: 'Taco', Chef: 'Mr. Taco' }, source);
    await client.eventStore.commit(IngredientsRestocked, { amount: 1 }, source);
    await eventually(() => privateSeen.length === 2 && publicSeen.length === 1);
    assert.deepEqual(publicSeen, [IngredientsRestocked.id]);
  });

  it('validates content with a Standard Schema on commit and on receipt', async () => {
    const received: { Chef: string; Salary: number }[] = [];
    const source = newId();
    const handler = defineEventHandler({
      id: newId(),
      events: { ChefHired },
      handle: { ChefHired: (event, context) => void (context.eventSourceId === source && received.push(event)) },
    });
    const client = await mode().connect({ eventHandlers: [handler] });
    const error = await client.eventStore.commit(ChefHired, { Chef: '', Salary: -1 }, newId()).then(
      () => assert.fail('expected invalid content'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof InvalidEventContent);
    assert.equal(error.issues.length, 2);
    await client.eventStore.commit(ChefHired, { Chef: 'Mr. Taco', Salary: 100 }, source);
    await eventually(() => received.length === 1);
    assert.deepEqual(received, [{ Chef: 'Mr. Taco', Salary: 100 }]);
  });

  it('retries a failing handler, telling it the retry count and the last reason', async () => {
    const attempts: (number | undefined)[] = [];
    const source = newId();
    const handler = defineEventHandler({
      id: newId(),
      events: { DishPrepared },
      retry: retryAfter(50),
      handle: {
        DishPrepared: async (_event, context) => {
          if (context.eventSourceId !== source) return;
          // A handler that answers at once can hit a Runtime race (see the SDK README, "Known issues"): the
          // partitioned processor then waits up to its 60 s poll fallback before retrying. Real handlers do I/O.
          await new Promise((resolve) => setTimeout(resolve, 20));
          attempts.push(context.retry?.retryCount);
          if (attempts.length < 3) throw new Error('the stove is cold');
          assert.match(context.retry?.reason ?? '', /the stove is cold/);
        },
      },
    });
    const client = await mode().connect({ eventHandlers: [handler] });
    await client.eventStore.commit(DishPrepared, { Dish: 'Taco', Chef: 'A' }, source);
    await eventually(() => attempts.length === 3, {
      message: `three attempts (saw ${JSON.stringify(attempts)})`,
    }).catch((e) => {
      throw new Error(`${e.message}: ${JSON.stringify(attempts)}`);
    });
    assert.deepEqual(attempts, [undefined, 0, 1]);
  });

  it('refuses to connect when the Runtime refuses a processor (already registered by another head)', async () => {
    const id = newId();
    const handler = defineEventHandler({ id, events: { DishPrepared }, handle: { DishPrepared: () => {} } });
    await mode().connect({ eventHandlers: [handler] });
    const error = await mode()
      .connect({ eventHandlers: [handler] })
      .then(
        () => assert.fail('expected the second registration to be refused'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof RegistrationFailed, String(error));
    assert.equal(error.processorId, id);
    assert.match(error.message, /already registered/);
  });

  it('scopes operations per tenant and reports unknown tenants as typed errors', async () => {
    const client = await mode().connect();
    const error = await client
      .forTenant(otherTenant)
      .eventStore.commit(DishPrepared, { Dish: 'x', Chef: 'y' }, newId())
      .then(
        () => assert.fail('expected an unknown tenant'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof DolittleSdkError);
    assert.equal(error.code, 'UnknownTenant');
    assert.match(error.message, new RegExp(otherTenant));
  });

  it('updates an embedding: its events lead to the desired state and are committed under the embedding id', async () => {
    const { Employees, recorder } = employeeEmbedding();
    const client = await mode().connect({ embeddings: [Employees] });
    const anna: Employee = { name: 'Anna', workplace: 'Kitchen' };
    assert.deepEqual(await client.embeddings.get(Employees, 'anna'), {
      key: 'anna',
      state: { name: '', workplace: 'Unassigned' },
      type: 'initial',
    });
    assert.deepEqual(await client.embeddings.update(Employees, 'anna', anna), anna);
    assert.deepEqual(await client.embeddings.get(Employees, 'anna'), { key: 'anna', state: anna, type: 'persisted' });
    assert.deepEqual(
      recorder.resolved.map((c) => [c.what, c.key, c.readModel, c.tenant]),
      [['update', 'anna', 'initial', client.defaultTenant]],
    );
    // Both events were projected for the key, and stored under its event source (a hash of the key).
    assert.deepEqual(
      recorder.projected.map((c) => [c.key, c.eventType.id]),
      [
        ['anna', EmployeeHired.id],
        ['anna', EmployeeTransferred.id],
      ],
    );
    const annaSource = recorder.projected[0]!.eventSourceId;
    assert.ok(recorder.projected.every((c) => c.eventSourceId === annaSource));
    const committed = await client.eventStore.fetchForAggregate(Employees.id, annaSource);
    assert.equal(committed.version, 2);
    assert.deepEqual(
      committed.events.map((e) => [e.type.id, e.content]),
      [
        [EmployeeHired.id, { Name: 'Anna' }],
        [EmployeeTransferred.id, { Name: 'Anna', From: 'Unassigned', To: 'Kitchen' }],
      ],
    );

    // From a persisted read model: one transfer. The same state again: nothing to do, nothing committed.
    const moved = await client.embeddings.update(Employees, 'anna', { name: 'Anna', workplace: 'Bar' });
    assert.equal(moved.workplace, 'Bar');
    assert.equal(recorder.resolved.at(-1)?.readModel, 'persisted');
    await client.embeddings.update(Employees, 'anna', { name: 'Anna', workplace: 'Bar' });
    const after = await client.eventStore.fetchForAggregate(Employees.id, annaSource);
    assert.equal(after.version, 3);
    assert.deepEqual(after.events[2]?.content, { Name: 'Anna', From: 'Kitchen', To: 'Bar' });

    // The key's event source is Dolittle's: CityHash128 of the key's UTF-16LE bytes.
    await client.embeddings.update(Employees, '', { name: 'Nobody', workplace: 'Unassigned' });
    const empty = await client.eventStore.fetchForAggregate(Employees.id, emptyKeyEventSource);
    assert.deepEqual(
      empty.events.map((e) => e.type.id),
      [EmployeeHired.id],
    );

    await client.embeddings.update(Employees, 'bob', { name: 'Bob', workplace: 'Kitchen' });
    assert.deepEqual((await client.embeddings.getKeys(Employees)).sort(), ['', 'anna', 'bob']);
    assert.deepEqual(
      await client.embeddings.getAll(Employees),
      new Map([
        ['', { name: 'Nobody', workplace: 'Unassigned' }],
        ['anna', { name: 'Anna', workplace: 'Bar' }],
        ['bob', { name: 'Bob', workplace: 'Kitchen' }],
      ]),
    );
  });

  it('deletes an embedding’s read model through the events resolveDelete returns', async () => {
    const { Employees, recorder } = employeeEmbedding();
    const client = await mode().connect({ embeddings: [Employees] });
    await client.embeddings.update(Employees, 'carl', { name: 'Carl', workplace: 'Kitchen' });
    await client.embeddings.update(Employees, 'dina', { name: 'Dina', workplace: 'Bar' });
    await client.embeddings.delete(Employees, 'carl');
    assert.deepEqual(await client.embeddings.get(Employees, 'carl'), {
      key: 'carl',
      state: { name: '', workplace: 'Unassigned' },
      type: 'initial',
    });
    assert.deepEqual(await client.embeddings.getKeys(Employees), ['dina']);
    assert.deepEqual([...(await client.embeddings.getAll(Employees)).keys()], ['dina']);
    const carlSource = recorder.projected.find((c) => c.key === 'carl')!.eventSourceId;
    const events = await client.eventStore.fetchForAggregate(Employees.id, carlSource);
    assert.deepEqual(
      events.events.map((e) => e.type.id),
      [EmployeeHired.id, EmployeeTransferred.id, EmployeeRetired.id],
    );
    // Nothing left to delete: the head is not asked and nothing is committed.
    const deletesAsked = recorder.resolved.filter((c) => c.what === 'delete').length;
    await client.embeddings.delete(Employees, 'carl');
    assert.equal(recorder.resolved.filter((c) => c.what === 'delete').length, deletesAsked);
    assert.equal((await client.eventStore.fetchForAggregate(Employees.id, carlSource)).version, 3);
    // A deleted key starts over from the initial state.
    await client.embeddings.update(Employees, 'carl', { name: 'Carl', workplace: 'Unassigned' });
    assert.equal(recorder.resolved.at(-1)?.readModel, 'initial');
    assert.equal((await client.eventStore.fetchForAggregate(Employees.id, carlSource)).version, 4);
  });

  it('keeps an embedding’s read models up to date with events committed by others', async () => {
    const { Employees, recorder } = employeeEmbedding();
    const client = await mode().connect({ embeddings: [Employees] });
    await client.embeddings.update(Employees, 'erin', { name: 'Erin', workplace: 'Kitchen' });
    const source = recorder.projected[0]!.eventSourceId;
    await client.eventStore.commitForAggregate(Employees.id, source, 2, [
      EmployeeTransferred.create({ Name: 'Erin', From: 'Kitchen', To: 'Garden' }),
    ]);
    await eventually(async () => (await client.embeddings.get(Employees, 'erin')).state.workplace === 'Garden');
  });

  it('fails embedding calls with typed errors, and commits nothing when the head fails', async () => {
    const { Employees } = employeeEmbedding();
    const { Employees: Unregistered } = employeeEmbedding();
    const client = await mode().connect({ embeddings: [Employees] });
    for (const call of [
      () => client.embeddings.update(Unregistered, 'x', { name: 'X', workplace: 'Kitchen' }),
      () => client.embeddings.delete(Unregistered, 'x'),
      () => client.embeddings.get(Unregistered, 'x'),
    ]) {
      const error = await call().then(
        () => assert.fail('expected NoEmbeddingRegisteredForTenant'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof NoEmbeddingRegisteredForTenant, String(error));
      assert.equal(error.code, 'NoEmbeddingRegisteredForTenant');
      assert.equal(error.embeddingId, Unregistered.id);
      assert.equal(error.tenantId, client.defaultTenant);
      assert.equal(error.failureId, 'd76e5522-9bbd-4bb1-87df-b167e42acf02');
    }
    assert.deepEqual(await client.embeddings.getKeys(Unregistered), []);

    await client.embeddings.update(Employees, 'fay', { name: 'Fay', workplace: 'Kitchen' });
    const failed = await client.embeddings.update(Employees, 'fay', { name: 'Fay', workplace: 'Mars' }).then(
      () => assert.fail('expected FailedToUpdateEmbedding'),
      (e: unknown) => e,
    );
    assert.ok(failed instanceof FailedToUpdateEmbedding, String(failed));
    assert.equal(failed.key, 'fay');
    assert.equal(failed.failureId, '4f765146-c635-497a-a14b-b7f80d5cf875');
    assert.match(failed.reason, /nobody works on Mars/);
    assert.equal(failed.loopDetected, false);
    const loop = await client.embeddings.update(Employees, 'fay', { name: 'Fay', workplace: 'Nowhere' }).then(
      () => assert.fail('expected FailedToUpdateEmbedding'),
      (e: unknown) => e,
    );
    assert.ok(loop instanceof FailedToUpdateEmbedding, String(loop));
    assert.equal(loop.loopDetected, true);
    assert.deepEqual((await client.embeddings.get(Employees, 'fay')).state, { name: 'Fay', workplace: 'Kitchen' });

    const { Employees: Stubborn } = employeeEmbedding();
    const refusing = {
      ...Stubborn,
      resolveDelete: () => {
        throw new Error('nobody leaves');
      },
    };
    const other = await mode().connect({ embeddings: [refusing] });
    await other.embeddings.update(Stubborn, 'gus', { name: 'Gus', workplace: 'Kitchen' });
    const notDeleted = await other.embeddings.delete(Stubborn, 'gus').then(
      () => assert.fail('expected FailedToDeleteEmbedding'),
      (e: unknown) => e,
    );
    assert.ok(notDeleted instanceof FailedToDeleteEmbedding, String(notDeleted));
    assert.equal(notDeleted.failureId, 'dcfba172-9348-4b2c-b518-17603798c0ec');
    assert.match(notDeleted.reason, /nobody leaves/);
    assert.equal((await other.embeddings.get(Stubborn, 'gus')).type, 'persisted');
  });

  it('gives up a call when its signal aborts', async () => {
    const client = await mode().connect();
    const aborted = AbortSignal.abort(new Error('user went away'));
    await assert.rejects(
      client.eventStore.fetchForAggregate(Kitchen.id, newId(), { signal: aborted }),
      (e: DolittleSdkError) => e.code === 'Aborted',
    );
    await assert.rejects(mode().connect({ signal: aborted }), (e: DolittleSdkError) => e.code === 'Aborted');
  });

  it('refuses calls after close', async () => {
    const client = await mode().connect();
    await client.close();
    await client.close();
    assert.equal(client.closed, true);
    assert.throws(
      () => client.eventStore,
      (e: DolittleSdkError) => e.code === 'ClientClosed',
    );
  });
});
