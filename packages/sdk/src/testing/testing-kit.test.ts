// The testing kit on the kitchen: given/when/then for the Kitchen aggregate, a projection and a handler.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineEventHandler } from '../event-handlers.js';
import { defineProjection, fromEventSource, fromProperty } from '../projections.js';
import { ChefHired, DishPrepared, IngredientsRestocked, Kitchen } from '../test-support/kitchen.js';
import { aggregateScenario } from './aggregate-scenario.js';
import { eventHandlerScenario } from './event-handler-scenario.js';
import { projectionScenario } from './projection-scenario.js';

describe('aggregateScenario', () => {
  it('then: the events a command applies', async () => {
    await aggregateScenario(Kitchen)
      .when((kitchen) => kitchen.prepareDish({ dish: 'Taco', chef: 'Mr. Taco' }))
      .thenApplied(DishPrepared.create({ Dish: 'Taco', Chef: 'Mr. Taco' }));
  });

  it('then: the state after given events and a command', async () => {
    await aggregateScenario(Kitchen)
      .given(DishPrepared.create({ Dish: 'Taco', Chef: 'A' }), IngredientsRestocked.create({ amount: 4 }))
      .when((kitchen) => kitchen.prepareDish({ dish: 'Burrito', chef: 'B' }))
      .thenState({ ingredients: 4, prepared: ['Taco', 'Burrito'] });
  });

  it('then: the error, when the kitchen has run out', async () => {
    await aggregateScenario(Kitchen)
      .given(DishPrepared.create({ Dish: 'Taco', Chef: 'A' }), DishPrepared.create({ Dish: 'Taco', Chef: 'A' }))
      .when((kitchen) => kitchen.prepareDish({ dish: 'Taco', chef: 'A' }))
      .thenFails(/run out of ingredients/);
  });

  it('fails the test when the events differ', async () => {
    await assert.rejects(
      aggregateScenario(Kitchen)
        .when((kitchen) => kitchen.prepareDish({ dish: 'Taco', chef: 'Mr. Taco' }))
        .thenApplied(DishPrepared.create({ Dish: 'Nacho', Chef: 'Mr. Taco' })),
      assert.AssertionError,
    );
    await assert.rejects(
      aggregateScenario(Kitchen)
        .when((kitchen) => kitchen.restock(1))
        .thenFails(),
      assert.AssertionError,
    );
  });

  it('runs ad-hoc actions and refuses event types the aggregate does not list', async () => {
    const outcome = await aggregateScenario(Kitchen)
      .when((kitchen) => kitchen.perform((k) => k.apply(ChefHired as never, { Chef: 'x', Salary: 1 } as never)))
      .outcome();
    assert.equal(outcome.failed, true);
    assert.match(String(outcome.error), /not in its events/);
  });
});

describe('projectionScenario', () => {
  const DishCounter = defineProjection({
    id: '98f9db66-b6ca-4e5f-9fc3-638626c9ecfa',
    events: { DishPrepared },
    initial: { name: 'Unknown', numberOfTimesPrepared: 0 },
    on: {
      DishPrepared: {
        key: fromProperty('Dish'),
        project: (counter, event) => ({ name: event.Dish, numberOfTimesPrepared: counter.numberOfTimesPrepared + 1 }),
      },
    },
  });

  it('then: the read models by key', async () => {
    await projectionScenario(DishCounter)
      .given(
        DishPrepared.create({ Dish: 'Bean Blaster Taco', Chef: 'Mr. Taco' }),
        DishPrepared.create({ Dish: 'Bean Blaster Taco', Chef: 'Mrs. Tex Mex' }),
        DishPrepared.create({ Dish: 'Avocado Artillery Tortilla', Chef: 'Mr. Taco' }),
      )
      .thenReadModels({
        'Bean Blaster Taco': { name: 'Bean Blaster Taco', numberOfTimesPrepared: 2 },
        'Avocado Artillery Tortilla': { name: 'Avocado Artillery Tortilla', numberOfTimesPrepared: 1 },
      });
  });

  it('deletes a read model when the projection says so', async () => {
    const kitchen = '0bf0ed0c-8b8d-4b7c-8e5e-2a5c8a3f1d10';
    const Open = defineProjection({
      id: '2f6bd0e5-0d4c-4a6b-9f8c-1e2d3c4b5a60',
      events: { DishPrepared, IngredientsRestocked },
      initial: { dishes: 0 },
      on: {
        DishPrepared: { key: fromEventSource(), project: (state) => ({ dishes: state.dishes + 1 }) },
        IngredientsRestocked: { key: fromEventSource(), project: () => 'delete' },
      },
    });
    await projectionScenario(Open)
      .given(
        DishPrepared.create({ Dish: 'a', Chef: 'b' }, kitchen),
        IngredientsRestocked.create({ amount: 1 }, kitchen),
      )
      .thenReadModel(kitchen, undefined);
  });
});

describe('eventHandlerScenario', () => {
  it('handles the given events and reports failures', async () => {
    const chefs: string[] = [];
    const handler = defineEventHandler({
      id: 'f2d366cf-c00a-4479-acc4-851e04b6fbba',
      events: { DishPrepared },
      handle: {
        DishPrepared: (event) => {
          if (event.Dish === 'Poison') throw new Error('not on the menu');
          chefs.push(event.Chef);
        },
      },
    });
    await eventHandlerScenario(handler)
      .given(DishPrepared.create({ Dish: 'Taco', Chef: 'Mr. Taco' }), IngredientsRestocked.create({ amount: 1 }))
      .thenSucceeds();
    assert.deepEqual(chefs, ['Mr. Taco']);
    await eventHandlerScenario(handler)
      .given(DishPrepared.create({ Dish: 'Poison', Chef: 'x' }))
      .thenFails(/not on the menu/);
  });
});
