// Compile-time checks of the typed API: the lines marked @ts-expect-error must not compile. Nothing runs here.
import { it } from 'node:test';
import type { DolittleClient } from './client.js';
import { defineEventHandler } from './event-handlers.js';
import { defineProjection, fromProperty } from './projections.js';
import { DishPrepared, IngredientsRestocked, Kitchen } from './test-support/kitchen.js';

export function typedApi(client: DolittleClient) {
  const kitchen = client.aggregates.get(Kitchen, 'bfe6f6e4-ada2-4344-8a3b-65a3e1fe16e9');
  void kitchen.prepareDish({ dish: 'Taco', chef: 'Mr. Taco' }).then((done) => done.state.ingredients.toFixed());
  // @ts-expect-error: the command's arguments are typed
  void kitchen.prepareDish({ dish: 'Taco' });
  void kitchen.restock(3);
  // @ts-expect-error: restock takes a number
  void kitchen.restock('3');
  void kitchen.perform((k) => {
    k.apply(DishPrepared, { Dish: 'x', Chef: 'y' });
    // @ts-expect-error: content must match the event type
    k.apply(DishPrepared, { Dish: 1 });
  });
  void client.eventStore.commit(IngredientsRestocked, { amount: 1 }, 'bfe6f6e4-ada2-4344-8a3b-65a3e1fe16e9');
  // @ts-expect-error: content must match the event type
  void client.eventStore.commit(IngredientsRestocked, { amount: '1' }, 'bfe6f6e4-ada2-4344-8a3b-65a3e1fe16e9');

  defineEventHandler({
    id: 'f2d366cf-c00a-4479-acc4-851e04b6fbba',
    events: { DishPrepared },
    handle: { DishPrepared: (event) => void event.Chef.toUpperCase() },
  });
  defineEventHandler({
    id: 'f2d366cf-c00a-4479-acc4-851e04b6fbba',
    events: { DishPrepared },
    // @ts-expect-error: every listed event type needs its handler
    handle: {},
  });
  const Counter = defineProjection({
    id: '98f9db66-b6ca-4e5f-9fc3-638626c9ecfa',
    events: { DishPrepared },
    initial: { count: 0 },
    on: { DishPrepared: { key: fromProperty('Dish'), project: (state) => ({ count: state.count + 1 }) } },
  });
  defineProjection({
    id: '98f9db66-b6ca-4e5f-9fc3-638626c9ecfa',
    events: { DishPrepared },
    initial: { count: 0 },
    // @ts-expect-error: the key property must be a property of the content
    on: { DishPrepared: { key: fromProperty('Nope'), project: (state) => state } },
  });
  void client.projections.get(Counter, 'Taco').then((read) => read.state.count.toFixed());
}

it('the typed API compiles (see the @ts-expect-error lines)', () => {});
