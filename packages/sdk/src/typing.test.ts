// Compile-time checks of the typed API: the lines marked @ts-expect-error must not compile. Nothing runs here.
import { it } from 'node:test';
import type { DolittleClient } from './client.js';
import { defineEmbedding, type EmbeddingStateOf } from './embeddings.js';
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

  const Dishes = defineEmbedding({
    id: '3a3c8f0e-5c1d-4a8e-9a77-2f2b0f6f6f10',
    events: { DishPrepared, IngredientsRestocked },
    initial: { dish: '', stock: 0 },
    resolveUpdate: (current, desired) =>
      desired.stock > current.stock
        ? IngredientsRestocked.create({ amount: desired.stock - current.stock })
        : [DishPrepared.create({ Dish: desired.dish, Chef: 'x' })],
    resolveDelete: () => [],
    on: {
      DishPrepared: (state, event) => ({ ...state, dish: event.Dish }),
      IngredientsRestocked: (state, event, context) =>
        context.readModel === 'initial' ? 'delete' : { ...state, stock: state.stock + event.amount },
    },
  });
  defineEmbedding({
    id: '3a3c8f0e-5c1d-4a8e-9a77-2f2b0f6f6f10',
    events: { DishPrepared },
    initial: { dish: '' },
    // @ts-expect-error: only the embedding's own event types can be resolved to
    resolveUpdate: () => [IngredientsRestocked.create({ amount: 1 })],
    resolveDelete: () => [],
    on: { DishPrepared: (state) => state },
  });
  defineEmbedding({
    id: '3a3c8f0e-5c1d-4a8e-9a77-2f2b0f6f6f10',
    events: { DishPrepared },
    initial: { dish: '' },
    resolveUpdate: () => [],
    resolveDelete: () => [],
    // @ts-expect-error: every listed event type needs its on function
    on: {},
  });
  defineEmbedding({
    id: '3a3c8f0e-5c1d-4a8e-9a77-2f2b0f6f6f10',
    events: { DishPrepared },
    initial: { dish: '' },
    resolveUpdate: () => [],
    resolveDelete: () => [],
    // @ts-expect-error: on returns the state or 'delete'
    on: { DishPrepared: () => ({ dish: 1 }) },
  });
  void client.embeddings.update(Dishes, 'Taco', { dish: 'Taco', stock: 1 }).then((state) => state.stock.toFixed());
  // @ts-expect-error: the desired state has the embedding's state type
  void client.embeddings.update(Dishes, 'Taco', { dish: 'Taco' });
  void client.embeddings.get(Dishes, 'Taco').then((read) => read.state.dish.toUpperCase());
  void client.embeddings.getAll(Dishes).then((all) => all.get('Taco')?.stock.toFixed());
  void client.forTenant('7f1c7a8e-9a3b-4c39-8f5d-2a1f8c1e0b77').embeddings.delete(Dishes, 'Taco');
  const state: EmbeddingStateOf<typeof Dishes> = { dish: 'Taco', stock: 1 };
  void state;
}

it('the typed API compiles (see the @ts-expect-error lines)', () => {});
