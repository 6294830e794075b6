// What the projection suites share: a record of every kitchen event a test committed (with the sequence number and
// tenant the Runtime gave it), the read models the kitchen projections must hold for exactly that log, and readers
// that turn the SDK's `CurrentState`s into plain JSON a `deepEqual` can compare.
import assert from 'node:assert/strict';
import type { Client } from '@dolittle/sdk';
import { EventSourceId, type UncommittedEvent } from '@dolittle/sdk.events';
import { TenantId } from '@dolittle/sdk.execution';
import { type CurrentState, CurrentStateType, type IProjectionStore, type Key } from '@dolittle/sdk.projections';
import { newId } from '../support/checks';
import { ChefHired, DishPrepared } from '../support/kitchen';
import { DishRemoved, unspecifiedPartitionKey } from './kitchen-projections';

export type KitchenEvent =
  | { readonly kind: 'dish'; readonly dish: string; readonly chef: string }
  | { readonly kind: 'chef'; readonly chef: string }
  | { readonly kind: 'removed'; readonly dish: string };

export type LoggedEvent = KitchenEvent & {
  readonly tenant: string;
  readonly eventSource: string;
  readonly sequenceNumber: number;
};

export const dish = (name: string, chef = 'Mr. Taco'): KitchenEvent => ({ kind: 'dish', dish: name, chef });
export const chefHired = (chef: string): KitchenEvent => ({ kind: 'chef', chef });
export const removed = (name: string): KitchenEvent => ({ kind: 'removed', dish: name });

type Plain = Record<string, unknown>;

/** Every kitchen event the suite committed, in commit order, and the read models that follow from them. */
export class KitchenLog {
  readonly entries: LoggedEvent[] = [];

  /**
   * Commits `events` as one commit for `tenant` with one event source (a new one unless given), and records them
   * with the sequence numbers the Runtime assigned.
   */
  async commit(
    client: Client,
    tenant: string,
    events: readonly KitchenEvent[],
    eventSource: string = newId(),
  ): Promise<LoggedEvent[]> {
    const source = EventSourceId.from(eventSource);
    const uncommitted: UncommittedEvent[] = events.map((event) => ({
      content: contentOf(event),
      eventSourceId: source,
    }));
    const result = await client.eventStore.forTenant(TenantId.from(tenant)).commit(uncommitted);
    assert.equal(result.failed, false, `commit failed: ${result.failure?.reason.value}`);
    const committed = result.events.toArray();
    assert.equal(committed.length, events.length);
    const logged = events.map((event, index) => ({
      ...event,
      tenant,
      eventSource,
      sequenceNumber: committed[index]!.eventLogSequenceNumber.value,
    }));
    this.entries.push(...logged);
    return logged;
  }

  /** Commits many DishPrepared events in commits of `perCommit`, each commit from a new event source. */
  async commitDishes(client: Client, tenant: string, dishes: readonly KitchenEvent[], perCommit = 50): Promise<void> {
    for (let start = 0; start < dishes.length; start += perCommit) {
      await this.commit(client, tenant, dishes.slice(start, start + perCommit));
    }
  }

  of(tenant: string): LoggedEvent[] {
    return this.entries.filter((entry) => entry.tenant === tenant);
  }

  /** DishCounter read models: one per dish name. */
  dishCounters(tenant: string): Record<string, Plain> {
    const counters: Record<string, Plain> = {};
    for (const entry of this.of(tenant)) {
      if (entry.kind !== 'dish') continue;
      const previous = counters[entry.dish];
      counters[entry.dish] = {
        name: entry.dish,
        numberOfTimesPrepared: ((previous?.numberOfTimesPrepared as number | undefined) ?? 0) + 1,
        key: entry.dish,
        tenant,
        lastSequenceNumber: entry.sequenceNumber,
        fromInitialState: 1,
      };
    }
    return counters;
  }

  /** KitchenActivity read models: one per event source, keyed by the event source id. */
  kitchenActivities(tenant: string): Record<string, Plain> {
    const activities: Record<string, Plain & { dishes: string[]; chefsHired: string[]; sequenceNumbers: number[] }> =
      {};
    for (const entry of this.of(tenant)) {
      if (entry.kind === 'removed') continue;
      const key = entry.eventSource.toLowerCase();
      let activity = activities[key];
      if (activity === undefined) {
        activity = { key, eventSource: key, dishes: [], chefsHired: [], sequenceNumbers: [], fromInitialState: 1 };
        activities[key] = activity;
      }
      if (entry.kind === 'dish') activity.dishes.push(entry.dish);
      else activity.chefsHired.push(entry.chef);
      activity.sequenceNumbers.push(entry.sequenceNumber);
    }
    return activities;
  }

  /** The AllDishes read model: one, keyed by the unspecified partition, once a dish was prepared. */
  allDishes(tenant: string): Record<string, Plain> {
    const count = this.of(tenant).filter((entry) => entry.kind === 'dish').length;
    return count === 0
      ? {}
      : { [unspecifiedPartitionKey]: { count, key: unspecifiedPartitionKey, fromInitialState: 1 } };
  }

  /** MenuItem read models: prepared dishes, minus removed ones (a dish prepared again starts from scratch). */
  menu(tenant: string): Record<string, Plain> {
    const items: Record<string, Plain> = {};
    for (const entry of this.of(tenant)) {
      if (entry.kind === 'removed') delete items[entry.dish];
      if (entry.kind !== 'dish') continue;
      const previous = items[entry.dish];
      items[entry.dish] = {
        dish: entry.dish,
        timesPrepared: ((previous?.timesPrepared as number | undefined) ?? 0) + 1,
        fromInitialState: 1,
      };
    }
    return items;
  }
}

function contentOf(event: KitchenEvent): unknown {
  switch (event.kind) {
    case 'dish':
      return new DishPrepared(event.dish, event.chef);
    case 'chef':
      return new ChefHired(event.chef, '2021-07-23');
    case 'removed':
      return new DishRemoved(event.dish);
  }
}

/** JSON round trip: what the read model holds, without its class. */
export function plain(value: unknown): Plain {
  return JSON.parse(JSON.stringify(value)) as Plain;
}

type Constructor<T> = new () => T;

/**
 * `getAll(type)` as `{ key: plain state }`. Checks on the way what must hold for every entry: it is PERSISTED (GetAll
 * returns stored read models only), the SDK built an instance of `type`, and no key comes twice.
 */
export async function readAll<T>(store: IProjectionStore, type: Constructor<T>): Promise<Record<string, Plain>> {
  const all: Map<Key, CurrentState<T>> = await store.getAll(type);
  const states: Record<string, Plain> = {};
  for (const [key, current] of all) {
    assert.equal(current.key, key);
    assert.equal(current.type, CurrentStateType.Persisted, `getAll returned ${key.value} with type ${current.type}`);
    assert.ok(current.state instanceof type, `getAll(${type.name}) gave a ${String(current.state)}`);
    assert.ok(!(key.value in states), `getAll returned the key ${key.value} twice`);
    states[key.value] = plain(current.state);
  }
  return states;
}

export interface OneState {
  readonly type: 'initial' | 'persisted';
  readonly key: string;
  readonly state: Plain;
}

/** `get(type, key)` as `{ type, key, state }` with a plain state. */
export async function readOne<T>(store: IProjectionStore, type: Constructor<T>, key: string): Promise<OneState> {
  const current: CurrentState<T> = await store.get(type, key);
  assert.ok(current.state instanceof type, `get(${type.name}) gave a ${String(current.state)}`);
  return {
    type: current.type === CurrentStateType.CreatedFromInitialState ? 'initial' : 'persisted',
    key: current.key.value,
    state: plain(current.state),
  };
}

/** What `get` must answer for a key without a read model. */
export function initialStateOf<T>(type: Constructor<T>, key: string): OneState {
  return { type: 'initial', key, state: plain(new type()) };
}
