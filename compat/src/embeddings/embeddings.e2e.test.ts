// Embeddings as the official SDK 17 uses them (Dolittle 6 §2.7, embeddings tutorial §4.5): the tutorial's Employee.
// `update(Type, key, desiredState)` makes the Runtime ask the head which events lead from the current state to the
// desired one, project them one by one, and commit them as one aggregate commit on aggregate root = embedding id and
// an event source derived from the key; `delete(Type, key)` does the same with the deletion events until the state is
// deleted. The states are read with `get`, `getAll` and `getKeys`. Events committed to the embedding's aggregate by
// anyone else are projected into its state too (the background refresh).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { eventType } from '@dolittle/sdk.artifacts';
import {
  CouldNotResolveUpdateToEvents,
  type EmbeddingProjectContext,
  embedding,
  on,
  resolveDeletionToEvents,
  resolveUpdateToEvents,
} from '@dolittle/sdk.embeddings';
import {
  AggregateRootId,
  AggregateRootVersion,
  type CommittedAggregateEvents,
  EventSourceId,
} from '@dolittle/sdk.events';
import { TenantId } from '@dolittle/sdk.execution';
import {
  type CurrentState,
  CurrentStateType,
  type DeleteReadModelInstance,
  ProjectionResult,
} from '@dolittle/sdk.projections';
import type { SdkClient } from '../sdk';
import { developmentTenantId } from '../support/checks';
import { eventually } from '../support/eventually';
import { describeOnEveryStore } from '../support/runtime-suite';

const employeeEmbeddingId = 'e5577d2c-0de7-481c-b5be-6ef613c2fcd6';
const employeeHiredTypeId = '46209e9b-9523-42fb-b91d-9782ed2df626';
const employeeTransferredTypeId = '35bfab0e-c346-4ca0-82af-77f7fd6b9557';
const employeeRetiredTypeId = 'e3a44a8c-324f-46b6-9d60-1b0c14dbebe4';

@eventType(employeeHiredTypeId)
class EmployeeHired {
  constructor(readonly name: string) {}
}

@eventType(employeeTransferredTypeId)
class EmployeeTransferred {
  constructor(
    readonly name: string,
    readonly from: string,
    readonly to: string,
  ) {}
}

@eventType(employeeRetiredTypeId)
class EmployeeRetired {
  constructor(readonly name: string) {}
}

/** Every event the head projected, with the event source and key the Runtime sent along. */
const projected: { key: string; eventSource: string; event: string; fromInitialState: boolean }[] = [];

function record(event: object, context: EmbeddingProjectContext): void {
  projected.push({
    key: context.key.value,
    eventSource: context.eventSourceId.value.toString(),
    event: event.constructor.name,
    fromInitialState: context.wasCreatedFromInitialState,
  });
}

/** The embeddings tutorial's Employee. */
@embedding(employeeEmbeddingId)
class Employee {
  name = '';
  workplace = 'Unassigned';

  @resolveUpdateToEvents()
  resolveUpdateToEvents(updated: Employee): object {
    if (this.name !== updated.name) return new EmployeeHired(updated.name);
    if (this.workplace !== updated.workplace) {
      return new EmployeeTransferred(this.name, this.workplace, updated.workplace);
    }
    throw new CouldNotResolveUpdateToEvents();
  }

  @resolveDeletionToEvents()
  resolveDeletionToEvents(): object {
    return new EmployeeRetired(this.name);
  }

  @on(EmployeeHired)
  onEmployeeHired(event: EmployeeHired, context: EmbeddingProjectContext): void {
    record(event, context);
    this.name = event.name;
  }

  @on(EmployeeTransferred)
  onEmployeeTransferred(event: EmployeeTransferred, context: EmbeddingProjectContext): void {
    record(event, context);
    this.workplace = event.to;
  }

  @on(EmployeeRetired)
  onEmployeeRetired(event: EmployeeRetired, context: EmbeddingProjectContext): DeleteReadModelInstance {
    record(event, context);
    return ProjectionResult.delete;
  }
}

/**
 * What `update` rejects with when the Runtime answers a Failure: the SDK's FailedToUpdate (not exported by SDK 17's
 * index) carrying Dolittle 6's FailedToUpdateEmbedding failure id.
 */
function failedToUpdate(error: unknown): boolean {
  assert.ok(error instanceof Error);
  assert.equal(error.constructor.name, 'FailedToUpdate', error.message);
  assert.match(error.message, /due to failure 4f765146-/);
  return true;
}

const stuckEmbeddingId = '84c9e99f-3133-4d6a-ac23-90974682b2d5';
const nothingHappenedTypeId = 'a311cecb-0722-4cf4-9fcb-04e245e3c71d';

@eventType(nothingHappenedTypeId)
class NothingHappened {}

/** An embedding whose head answers every change with an event that changes nothing: a loop the Runtime must detect. */
@embedding(stuckEmbeddingId)
class Stuck {
  value = 0;

  @resolveUpdateToEvents()
  resolveUpdateToEvents(): object {
    return new NothingHappened();
  }

  @resolveDeletionToEvents()
  resolveDeletionToEvents(): object {
    return new NothingHappened();
  }

  @on(NothingHappened)
  onNothingHappened(): void {}
}

/** Employee with another initial state (workplace 'Remote'): a changed definition under the same embedding id. */
@embedding(employeeEmbeddingId)
class RemoteEmployee {
  name = '';
  workplace = 'Remote';

  @resolveUpdateToEvents()
  resolveUpdateToEvents(updated: RemoteEmployee): object {
    if (this.name !== updated.name) return new EmployeeHired(updated.name);
    if (this.workplace !== updated.workplace) {
      return new EmployeeTransferred(this.name, this.workplace, updated.workplace);
    }
    throw new CouldNotResolveUpdateToEvents();
  }

  @resolveDeletionToEvents()
  resolveDeletionToEvents(): object {
    return new EmployeeRetired(this.name);
  }

  @on(EmployeeHired)
  onEmployeeHired(event: EmployeeHired, context: EmbeddingProjectContext): void {
    record(event, context);
    this.name = event.name;
  }

  @on(EmployeeTransferred)
  onEmployeeTransferred(event: EmployeeTransferred, context: EmbeddingProjectContext): void {
    record(event, context);
    this.workplace = event.to;
  }

  @on(EmployeeRetired)
  onEmployeeRetired(event: EmployeeRetired, context: EmbeddingProjectContext): DeleteReadModelInstance {
    record(event, context);
    return ProjectionResult.delete;
  }
}

const employee = (name: string, workplace: string) => Object.assign(new Employee(), { name, workplace });
const hired = (name: string) => ({ type: employeeHiredTypeId, content: { name } });
const transferred = (name: string, from: string, to: string) => ({
  type: employeeTransferredTypeId,
  content: { name, from, to },
});
const retired = (name: string) => ({ type: employeeRetiredTypeId, content: { name } });

function summary(events: CommittedAggregateEvents) {
  return [...events].map((event) => ({
    version: event.aggregateRootVersion.value,
    type: event.type.id.value.toString(),
    content: JSON.parse(JSON.stringify(event.content)) as unknown,
    aggregateRoot: event.aggregateRootId.value.toString(),
  }));
}

function plainState(current: CurrentState<unknown>) {
  return {
    type: current.type === CurrentStateType.CreatedFromInitialState ? 'initial' : 'persisted',
    key: current.key.value,
    state: JSON.parse(JSON.stringify(current.state)) as unknown,
  };
}

describeOnEveryStore(
  'embeddings: update to a desired state, read it, delete it',
  (suite) => {
    const tenant = TenantId.from(developmentTenantId);
    let head: SdkClient;
    const embeddings = () => head.client.embeddings.forTenant(tenant);
    /** The event sources per key, as the Runtime sent them to the head's `@on` methods. */
    const eventSourceOf = (key: string): string => {
      const sources = new Set(projected.filter((p) => p.key === key).map((p) => p.eventSource));
      assert.equal(sources.size, 1, `the events of key ${key} came with event sources ${[...sources].join(', ')}`);
      return [...sources][0]!;
    };
    const aggregateEvents = async (key: string) =>
      summary(
        await head.client.eventStore
          .forTenant(tenant)
          .fetchForAggregate(AggregateRootId.from(employeeEmbeddingId), EventSourceId.from(eventSourceOf(key))),
      );
    const withVersions = (events: { type: string; content: unknown }[]) =>
      events.map((event, version) => ({ version, ...event, aggregateRoot: employeeEmbeddingId }));
    const keys = async () => (await embeddings().getKeys(Employee)).map((key) => key.value).sort();
    const all = async () =>
      Object.fromEntries(
        [...(await embeddings().getAll(Employee)).values()].map((current) => {
          assert.equal(current.type, CurrentStateType.Persisted);
          return [current.key.value, JSON.parse(JSON.stringify(current.state)) as unknown];
        }),
      );

    const connectHead = (type: new () => object) =>
      suite.connect((builder) =>
        builder
          .withEventTypes((eventTypes) => {
            eventTypes.register(EmployeeHired);
            eventTypes.register(EmployeeTransferred);
            eventTypes.register(EmployeeRetired);
            eventTypes.register(NothingHappened);
          })
          .withEmbeddings((embeddingsBuilder) => embeddingsBuilder.register(type).register(Stuck)),
      );

    before(() => {
      projected.length = 0;
      head = connectHead(Employee);
    });

    test('update commits the events that lead to the desired state, as aggregate events of the embedding', async () => {
      // The first update may come before the head's registration has been accepted.
      const updated = await eventually(
        () => embeddings().update(Employee, 'mrs-tex-mex', employee('Mrs. Tex Mex', 'Taco Bell')),
        { what: 'the first update' },
      );
      assert.ok(updated.state instanceof Employee);
      assert.deepEqual(plainState(updated as CurrentState<unknown>).state, {
        name: 'Mrs. Tex Mex',
        workplace: 'Taco Bell',
      });
      assert.equal(updated.key.value, 'mrs-tex-mex');
      assert.deepEqual(
        await aggregateEvents('mrs-tex-mex'),
        withVersions([hired('Mrs. Tex Mex'), transferred('Mrs. Tex Mex', 'Unassigned', 'Taco Bell')]),
      );
    });

    test('get, getAll and getKeys read the state', async () => {
      assert.deepEqual(plainState((await embeddings().get(Employee, 'mrs-tex-mex')) as CurrentState<unknown>), {
        type: 'persisted',
        key: 'mrs-tex-mex',
        state: { name: 'Mrs. Tex Mex', workplace: 'Taco Bell' },
      });
      assert.deepEqual(await all(), { 'mrs-tex-mex': { name: 'Mrs. Tex Mex', workplace: 'Taco Bell' } });
      assert.deepEqual(await keys(), ['mrs-tex-mex']);
      assert.deepEqual(plainState((await embeddings().get(Employee, 'nobody')) as CurrentState<unknown>), {
        type: 'initial',
        key: 'nobody',
        state: { name: '', workplace: 'Unassigned' },
      });
    });

    test('updating to the state it already has commits nothing', async () => {
      await embeddings().update(Employee, 'mrs-tex-mex', employee('Mrs. Tex Mex', 'Taco Bell'));
      assert.equal((await aggregateEvents('mrs-tex-mex')).length, 2);
    });

    test('every key has its own event source; each moves on from its own state', async () => {
      await embeddings().update(Employee, 'mr-taco', employee('Mr. Taco', 'Unassigned'));
      await embeddings().update(Employee, 'mrs-tex-mex', employee('Mrs. Tex Mex', 'Burrito Barn'));
      assert.notEqual(eventSourceOf('mr-taco'), eventSourceOf('mrs-tex-mex'));
      assert.deepEqual(await aggregateEvents('mr-taco'), withVersions([hired('Mr. Taco')]));
      assert.deepEqual(
        await aggregateEvents('mrs-tex-mex'),
        withVersions([
          hired('Mrs. Tex Mex'),
          transferred('Mrs. Tex Mex', 'Unassigned', 'Taco Bell'),
          transferred('Mrs. Tex Mex', 'Taco Bell', 'Burrito Barn'),
        ]),
      );
      assert.deepEqual(await keys(), ['mr-taco', 'mrs-tex-mex']);
      assert.deepEqual(await all(), {
        'mr-taco': { name: 'Mr. Taco', workplace: 'Unassigned' },
        'mrs-tex-mex': { name: 'Mrs. Tex Mex', workplace: 'Burrito Barn' },
      });
    });

    test('delete commits the deletion events and removes the key from getKeys and getAll', async () => {
      await embeddings().delete(Employee, 'mrs-tex-mex');
      assert.deepEqual(
        await aggregateEvents('mrs-tex-mex'),
        withVersions([
          hired('Mrs. Tex Mex'),
          transferred('Mrs. Tex Mex', 'Unassigned', 'Taco Bell'),
          transferred('Mrs. Tex Mex', 'Taco Bell', 'Burrito Barn'),
          retired('Mrs. Tex Mex'),
        ]),
      );
      assert.deepEqual(await keys(), ['mr-taco']);
      assert.deepEqual(await all(), { 'mr-taco': { name: 'Mr. Taco', workplace: 'Unassigned' } });
      assert.equal(
        plainState((await embeddings().get(Employee, 'mrs-tex-mex')) as CurrentState<unknown>).type,
        'initial',
      );
    });

    test('a deleted key updated again starts from the initial state, on the same event source', async () => {
      const source = eventSourceOf('mrs-tex-mex');
      await embeddings().update(Employee, 'mrs-tex-mex', employee('Mrs. Tex Mex', 'Unassigned'));
      assert.equal(eventSourceOf('mrs-tex-mex'), source);
      const events = await aggregateEvents('mrs-tex-mex');
      assert.equal(events.length, 5);
      assert.deepEqual(events[4], { version: 4, ...hired('Mrs. Tex Mex'), aggregateRoot: employeeEmbeddingId });
      assert.deepEqual(await keys(), ['mr-taco', 'mrs-tex-mex']);
    });

    test('events committed to the embedding’s aggregate by someone else update its state', async () => {
      const committed = await head.client.eventStore
        .forTenant(tenant)
        .forAggregate(AggregateRootId.from(employeeEmbeddingId))
        .withEventSource(EventSourceId.from(eventSourceOf('mr-taco')))
        .expectVersion(AggregateRootVersion.from(1))
        .commit([{ content: new EmployeeTransferred('Mr. Taco', 'Unassigned', 'Nacho Nook') }]);
      assert.equal(committed.length, 1);
      await eventually(async () =>
        assert.deepEqual(plainState((await embeddings().get(Employee, 'mr-taco')) as CurrentState<unknown>).state, {
          name: 'Mr. Taco',
          workplace: 'Nacho Nook',
        }),
      );
      // And an update goes on from there.
      await embeddings().update(Employee, 'mr-taco', employee('Mr. Taco', 'Salsa Shack'));
      assert.deepEqual(
        await aggregateEvents('mr-taco'),
        withVersions([
          hired('Mr. Taco'),
          transferred('Mr. Taco', 'Unassigned', 'Nacho Nook'),
          transferred('Mr. Taco', 'Nacho Nook', 'Salsa Shack'),
        ]),
      );
    });

    test('the event source of a key is Dolittle 6’s: CityHash128 of the key’s UTF-16 bytes as a Guid', async () => {
      // The vector of the Dolittle Runtime's own specification (Embeddings.Store, a_special_value).
      const key = 'this_is the.special key-used for:specifications';
      const source = 'f5fffaff-66b4-f316-4b4d-54a435b50d2a';
      const fetch = async () =>
        summary(
          await head.client.eventStore
            .forTenant(tenant)
            .fetchForAggregate(AggregateRootId.from(employeeEmbeddingId), EventSourceId.from(source)),
        );
      // Deleting a key that has no state is nothing to do: it commits nothing.
      await embeddings().delete(Employee, key);
      assert.deepEqual(await fetch(), []);
      assert.ok(!(await keys()).includes(key));

      await embeddings().update(Employee, key, employee('Señor Spec', 'Unassigned'));
      assert.equal(eventSourceOf(key), source);
      assert.deepEqual(await fetch(), withVersions([hired('Señor Spec')]));
    });

    test('a key with a NUL character is a key like any other', async () => {
      const nul = 'Nul\u0000Employee';
      await embeddings().update(Employee, nul, employee('Nul', 'Night shift'));
      assert.deepEqual(plainState((await embeddings().get(Employee, nul)) as CurrentState<unknown>), {
        type: 'persisted',
        key: nul,
        state: { name: 'Nul', workplace: 'Night shift' },
      });
      assert.ok((await keys()).includes(nul));
      assert.deepEqual(
        await aggregateEvents(nul),
        withVersions([hired('Nul'), transferred('Nul', 'Unassigned', 'Night shift')]),
      );
      await embeddings().delete(Employee, nul);
      assert.ok(!(await keys()).includes(nul));
    });

    test('an update the head cannot resolve fails with FailedToUpdate and commits and stores nothing', async () => {
      const before = await aggregateEvents('mr-taco');
      const keysBefore = await keys();
      // The head resolves name and workplace, then cannot resolve the extra property: it throws.
      const unreachable = Object.assign(employee('Mr. Taco', 'Nowhere'), { salary: 1000 });
      await assert.rejects(embeddings().update(Employee, 'mr-taco', unreachable), failedToUpdate);
      assert.deepEqual(await aggregateEvents('mr-taco'), before);
      assert.deepEqual(plainState((await embeddings().get(Employee, 'mr-taco')) as CurrentState<unknown>).state, {
        name: 'Mr. Taco',
        workplace: 'Salsa Shack',
      });
      await assert.rejects(
        embeddings().update(Employee, 'never-reachable', Object.assign(employee('X', 'Y'), { salary: 1 })),
        failedToUpdate,
      );
      assert.deepEqual(await keys(), keysBefore);
    });

    test('concurrent updates of one key run one after the other: dense versions, each from the state before', async () => {
      const workplaces = ['Taco Truck 1', 'Taco Truck 2', 'Taco Truck 3', 'Taco Truck 4', 'Taco Truck 5'];
      const before = await aggregateEvents('mr-taco');
      const results = await Promise.all(
        workplaces.map((workplace) => embeddings().update(Employee, 'mr-taco', employee('Mr. Taco', workplace))),
      );
      for (const [index, result] of results.entries()) {
        assert.deepEqual(plainState(result as CurrentState<unknown>).state, {
          name: 'Mr. Taco',
          workplace: workplaces[index],
        });
      }
      const events = await aggregateEvents('mr-taco');
      const added = events.slice(before.length);
      assert.equal(added.length, workplaces.length, JSON.stringify(added));
      assert.deepEqual(
        events.map((event) => event.version),
        events.map((_, version) => version),
      );
      let workplace = 'Salsa Shack';
      for (const event of added) {
        assert.equal(event.type, employeeTransferredTypeId);
        const content = event.content as { from: string; to: string };
        assert.equal(content.from, workplace, 'an update started from a state that was not the latest');
        workplace = content.to;
      }
      assert.deepEqual(plainState((await embeddings().get(Employee, 'mr-taco')) as CurrentState<unknown>).state, {
        name: 'Mr. Taco',
        workplace,
      });
      // Back to where the next test expects it.
      await embeddings().update(Employee, 'mr-taco', employee('Mr. Taco', 'Salsa Shack'));
    });

    test('an update whose events change nothing is a loop: FailedToUpdate, nothing committed or stored', async () => {
      // Stuck registered with Employee, which has answered many requests by now.
      await assert.rejects(
        embeddings().update(Stuck, 'stuck', Object.assign(new Stuck(), { value: 1 })),
        failedToUpdate,
      );
      assert.deepEqual(
        (await embeddings().getKeys(Stuck)).map((key) => key.value),
        [],
      );
    });

    test('without a connected head, update and delete fail with NoEmbeddingRegisteredForTenant; reading still works', async () => {
      head.close();
      // A client without the embedding registered: it names the embedding by id.
      const other = suite.connect();
      const byId = other.client.embeddings.forTenant(tenant);
      const noHead = (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, /d76e5522-9bbd-4bb1-87df-b167e42acf02/);
        return true;
      };
      // Until the Runtime has seen the head go away, the update may still reach it.
      await eventually(
        () => assert.rejects(byId.update('mr-taco', employeeEmbeddingId, employee('Mr. Taco', 'Salsa Shack')), noHead),
        { what: 'update without a head' },
      );
      await assert.rejects(byId.update('mr-taco', employeeEmbeddingId, employee('Mr. Taco', 'Nowhere')), noHead);
      await assert.rejects(byId.delete('mr-taco', employeeEmbeddingId), noHead);
      assert.deepEqual(plainState(await byId.get('mr-taco', employeeEmbeddingId)), {
        type: 'persisted',
        key: 'mr-taco',
        state: { name: 'Mr. Taco', workplace: 'Salsa Shack' },
      });
      assert.deepEqual((await byId.getKeys(employeeEmbeddingId)).map((key) => key.value).sort(), [
        'mr-taco',
        'mrs-tex-mex',
        'this_is the.special key-used for:specifications',
      ]);
      other.close();
      head = connectHead(Employee);
    });

    test('after a Runtime restart the states are still there and updates go on from them', async () => {
      const before = await aggregateEvents('mr-taco');
      head.close();
      await suite.runtime.restart();
      head = connectHead(Employee);
      const states = await eventually(() => all(), { what: 'getAll after the restart', timeoutMs: 30_000 });
      assert.deepEqual(states, {
        'mr-taco': { name: 'Mr. Taco', workplace: 'Salsa Shack' },
        'mrs-tex-mex': { name: 'Mrs. Tex Mex', workplace: 'Unassigned' },
        'this_is the.special key-used for:specifications': { name: 'Señor Spec', workplace: 'Unassigned' },
      });
      await eventually(() => embeddings().update(Employee, 'mr-taco', employee('Mr. Taco', 'Taco Tower')), {
        what: 'an update after the restart',
        timeoutMs: 30_000,
      });
      const events = await aggregateEvents('mr-taco');
      assert.deepEqual(events.slice(0, before.length), before);
      assert.equal(events.length, before.length + 1);
      assert.deepEqual(events[before.length], {
        version: before.length,
        ...transferred('Mr. Taco', 'Salsa Shack', 'Taco Tower'),
        aggregateRoot: employeeEmbeddingId,
      });
    });

    test('a changed definition (another initial state) re-projects every key from its events', async () => {
      head.close();
      head = connectHead(RemoteEmployee);
      await eventually(
        async () =>
          assert.deepEqual(
            Object.fromEntries(
              [...(await embeddings().getAll(RemoteEmployee)).values()].map((current) => [
                current.key.value,
                JSON.parse(JSON.stringify(current.state)) as unknown,
              ]),
            ),
            {
              'mr-taco': { name: 'Mr. Taco', workplace: 'Taco Tower' },
              // Hired, transferred twice, retired, hired again: from the new initial state since the retirement.
              'mrs-tex-mex': { name: 'Mrs. Tex Mex', workplace: 'Remote' },
              'this_is the.special key-used for:specifications': { name: 'Señor Spec', workplace: 'Remote' },
            },
          ),
        { what: 'the states re-projected with the new initial state', timeoutMs: 20_000 },
      );
      assert.deepEqual(plainState((await embeddings().get(RemoteEmployee, 'nobody')) as CurrentState<unknown>).state, {
        name: '',
        workplace: 'Remote',
      });
      // Updates go on from the re-projected state.
      await embeddings().update(
        RemoteEmployee,
        'mrs-tex-mex',
        Object.assign(new RemoteEmployee(), { name: 'Mrs. Tex Mex', workplace: 'HQ' }),
      );
      const events = await aggregateEvents('mrs-tex-mex');
      assert.deepEqual(events[events.length - 1], {
        version: events.length - 1,
        ...transferred('Mrs. Tex Mex', 'Remote', 'HQ'),
        aggregateRoot: employeeEmbeddingId,
      });
    });
  },
  { timeoutMs: 120_000 },
);
