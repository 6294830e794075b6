// Embeddings across the two SDKs on one Runtime process: our client updates, reads and deletes an embedding whose
// head is the official `@dolittle/sdk@17.0.1` (the tutorial's decorated Employee), and the official client does the
// same with an embedding our SDK's head serves. Same event type ids, same JSON content, same read models.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventType } from '@dolittle/sdk.artifacts';
import {
  CouldNotResolveUpdateToEvents,
  type EmbeddingProjectContext,
  embedding,
  on,
  resolveDeletionToEvents,
  resolveUpdateToEvents,
} from '@dolittle/sdk.embeddings';
import { TenantId } from '@dolittle/sdk.execution';
import { CurrentStateType, type DeleteReadModelInstance, ProjectionResult } from '@dolittle/sdk.projections';
import { type RuntimeProcess, startRuntimeProcess } from '../harness';
import { createSdkClient, type SdkClient } from '../sdk';
import { newId } from '../support/checks';
import { eventually } from '../support/eventually';

type OurSdk = typeof import('@dolittle-ts/sdk');

const officialEmbeddingId = newId();
const ourEmbeddingId = newId();
const hiredTypeId = 'a3a6b7e1-4d0e-4c3f-9a55-6b2a1c9d0e11';
const transferredTypeId = 'b4b7c8f2-5e1f-4d40-8b66-7c3b2d0e1f22';
const retiredTypeId = 'c5c8d903-6f20-4e51-9c77-8d4c3e1f2033';

@eventType(hiredTypeId)
class EmployeeHired {
  constructor(readonly name: string) {}
}

@eventType(transferredTypeId)
class EmployeeTransferred {
  constructor(
    readonly name: string,
    readonly from: string,
    readonly to: string,
  ) {}
}

@eventType(retiredTypeId)
class EmployeeRetired {
  constructor(readonly name: string) {}
}

/** What the official head's `@on` methods were called with. */
const officialProjected: { key: string; event: string; eventSource: string }[] = [];
const officialRecord = (event: object, context: EmbeddingProjectContext) =>
  officialProjected.push({
    key: context.key.value,
    event: event.constructor.name,
    eventSource: context.eventSourceId.value.toString(),
  });

/** The embeddings tutorial's Employee, served by the official SDK's head. */
@embedding(officialEmbeddingId)
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
    officialRecord(event, context);
    this.name = event.name;
  }

  @on(EmployeeTransferred)
  onEmployeeTransferred(event: EmployeeTransferred, context: EmbeddingProjectContext): void {
    officialRecord(event, context);
    this.workplace = event.to;
  }

  @on(EmployeeRetired)
  onEmployeeRetired(event: EmployeeRetired, context: EmbeddingProjectContext): DeleteReadModelInstance {
    officialRecord(event, context);
    return ProjectionResult.delete;
  }
}

/** The same Employee in our SDK's definition style. */
function ourEmployee(sdk: OurSdk, id: string, projected: { key: string; event: string; eventSource: string }[]) {
  const Hired = sdk.defineEventType<{ name: string }>({ id: hiredTypeId, alias: 'EmployeeHired' });
  const Transferred = sdk.defineEventType<{ name: string; from: string; to: string }>({
    id: transferredTypeId,
    alias: 'EmployeeTransferred',
  });
  const Retired = sdk.defineEventType<{ name: string }>({ id: retiredTypeId, alias: 'EmployeeRetired' });
  return sdk.defineEmbedding({
    id,
    events: { Hired, Transferred, Retired },
    initial: { name: '', workplace: 'Unassigned' },
    resolveUpdate: (current, desired) =>
      current.name !== desired.name
        ? Hired.create({ name: desired.name })
        : Transferred.create({ name: current.name, from: current.workplace, to: desired.workplace }),
    resolveDelete: (current) => Retired.create({ name: current.name }),
    on: {
      Hired: (_state, event, context) => {
        projected.push({ key: context.key, event: 'EmployeeHired', eventSource: context.eventSourceId });
        return { name: event.name, workplace: 'Unassigned' };
      },
      Transferred: (state, event, context) => {
        projected.push({ key: context.key, event: 'EmployeeTransferred', eventSource: context.eventSourceId });
        return { ...state, workplace: event.to };
      },
      Retired: (_state, _event, context) => {
        projected.push({ key: context.key, event: 'EmployeeRetired', eventSource: context.eventSourceId });
        return 'delete';
      },
    },
  });
}

describe('embeddings: our SDK and the official SDK 17 on one Runtime', { timeout: 90_000 }, () => {
  let runtime: RuntimeProcess;
  let sdk: OurSdk;
  let official: SdkClient;
  let ours: Awaited<ReturnType<OurSdk['DolittleClient']['connect']>>;
  const ourProjected: { key: string; event: string; eventSource: string }[] = [];
  const tenant = TenantId.development;

  before(async () => {
    runtime = await startRuntimeProcess({ store: 'memory', logLevel: 'warn', metrics: false });
    sdk = await import('@dolittle-ts/sdk');
    official = createSdkClient({
      port: runtime.privatePort,
      configure: (builder) =>
        builder
          .withEventTypes((eventTypes) => {
            eventTypes.register(EmployeeHired);
            eventTypes.register(EmployeeTransferred);
            eventTypes.register(EmployeeRetired);
          })
          .withEmbeddings((embeddings) => embeddings.register(Employee)),
    });
    ours = await sdk.DolittleClient.connect({
      runtime: runtime.address,
      logger: sdk.silentLogger,
      embeddings: [ourEmployee(sdk, ourEmbeddingId, ourProjected)],
    });
  });

  after(async () => {
    official?.close();
    await ours?.close();
    await runtime?.dispose();
  });

  test('our client updates, reads and deletes an embedding the official SDK’s head serves', async () => {
    const OfficialEmployee = ourEmployee(sdk, officialEmbeddingId, []);
    // The official head registers in the background: the first update may come before the Runtime accepted it.
    const updated = await eventually(
      () => ours.embeddings.update(OfficialEmployee, 'anna', { name: 'Anna', workplace: 'Kitchen' }),
      { what: 'the first update' },
    );
    assert.deepEqual(updated, { name: 'Anna', workplace: 'Kitchen' });
    assert.deepEqual(
      officialProjected.filter((p) => p.key === 'anna').map((p) => p.event),
      ['EmployeeHired', 'EmployeeTransferred'],
    );
    const source = officialProjected.find((p) => p.key === 'anna')?.eventSource ?? '';
    const committed = await ours.eventStore.fetchForAggregate(officialEmbeddingId, source);
    assert.deepEqual(
      committed.events.map((e) => [e.type.id, e.content]),
      [
        [hiredTypeId, { name: 'Anna' }],
        [transferredTypeId, { name: 'Anna', from: 'Unassigned', to: 'Kitchen' }],
      ],
    );
    assert.deepEqual(await ours.embeddings.get(OfficialEmployee, 'anna'), {
      key: 'anna',
      state: { name: 'Anna', workplace: 'Kitchen' },
      type: 'persisted',
    });
    assert.deepEqual(await ours.embeddings.getKeys(OfficialEmployee), ['anna']);
    assert.deepEqual(
      await ours.embeddings.getAll(OfficialEmployee),
      new Map([['anna', { name: 'Anna', workplace: 'Kitchen' }]]),
    );
    await ours.embeddings.delete(OfficialEmployee, 'anna');
    assert.equal((await ours.embeddings.get(OfficialEmployee, 'anna')).type, 'initial');
    assert.equal(officialProjected.at(-1)?.event, 'EmployeeRetired');
  });

  test('the official client updates, reads and deletes an embedding our SDK’s head serves', async () => {
    const embeddings = official.client.embeddings.forTenant(tenant);
    const updated = await embeddings.update('bob', ourEmbeddingId, { name: 'Bob', workplace: 'Bar' });
    assert.deepEqual(JSON.parse(JSON.stringify(updated.state)), { name: 'Bob', workplace: 'Bar' });
    assert.deepEqual(
      ourProjected.map((p) => [p.key, p.event]),
      [
        ['bob', 'EmployeeHired'],
        ['bob', 'EmployeeTransferred'],
      ],
    );
    const read = await embeddings.get('bob', ourEmbeddingId);
    assert.equal(read.type, CurrentStateType.Persisted);
    assert.deepEqual(JSON.parse(JSON.stringify(read.state)), { name: 'Bob', workplace: 'Bar' });
    assert.deepEqual(
      (await embeddings.getKeys(ourEmbeddingId)).map((key) => key.value),
      ['bob'],
    );
    const committed = await ours.eventStore.fetchForAggregate(ourEmbeddingId, ourProjected[0]?.eventSource ?? '');
    assert.deepEqual(
      committed.events.map((e) => [e.type.id, e.content]),
      [
        [hiredTypeId, { name: 'Bob' }],
        [transferredTypeId, { name: 'Bob', from: 'Unassigned', to: 'Bar' }],
      ],
    );
    await embeddings.delete('bob', ourEmbeddingId);
    assert.equal(ourProjected.at(-1)?.event, 'EmployeeRetired');
    assert.equal((await embeddings.get('bob', ourEmbeddingId)).type, CurrentStateType.CreatedFromInitialState);
    assert.deepEqual(await ours.embeddings.getKeys(ourEmployee(sdk, ourEmbeddingId, [])), []);
  });
});
