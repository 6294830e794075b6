// The kitchen's own tests, with the SDK's testing kit: the aggregate, the projection and the handler in memory,
// and the whole tutorial against an in-process Runtime.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aggregateScenario, eventHandlerScenario, projectionScenario } from '@dolittle-ts/sdk/testing';
import { DishCounter } from './dish-counter.js';
import { createDishHandler } from './dish-handler.js';
import { DishPrepared } from './dish-prepared.js';
import { Kitchen } from './kitchen.js';
import { runKitchen } from './run-kitchen.js';

describe('the Kitchen', () => {
  it('prepares a dish while it has ingredients', async () => {
    await aggregateScenario(Kitchen)
      .given(DishPrepared.create({ Dish: 'Bean Blaster Taco', Chef: 'Mr. Taco' }))
      .when((kitchen) => kitchen.prepareDish({ dish: 'Avocado Artillery Tortilla', chef: 'Mrs. Tex Mex' }))
      .thenApplied(DishPrepared.create({ Dish: 'Avocado Artillery Tortilla', Chef: 'Mrs. Tex Mex' }));
  });

  it('runs out of ingredients after two dishes', async () => {
    await aggregateScenario(Kitchen)
      .given(
        DishPrepared.create({ Dish: 'Bean Blaster Taco', Chef: 'Mr. Taco' }),
        DishPrepared.create({ Dish: 'Bean Blaster Taco', Chef: 'Mr. Taco' }),
      )
      .when((kitchen) => kitchen.prepareDish({ dish: 'Chili Canon Wrap', chef: 'Mrs. Tex Mex' }))
      .thenFails(/We have run out of ingredients, sorry!/);
  });
});

describe('the DishCounter', () => {
  it('counts each dish', async () => {
    await projectionScenario(DishCounter)
      .given(
        DishPrepared.create({ Dish: 'Bean Blaster Taco', Chef: 'Mr. Taco' }),
        DishPrepared.create({ Dish: 'Bean Blaster Taco', Chef: 'Mrs. Tex Mex' }),
      )
      .thenReadModel('Bean Blaster Taco', { name: 'Bean Blaster Taco', numberOfTimesPrepared: 2 });
  });
});

describe('the DishHandler', () => {
  it('says what was prepared', async () => {
    const lines: string[] = [];
    await eventHandlerScenario(createDishHandler((line) => lines.push(line)))
      .given(DishPrepared.create({ Dish: 'Bean Blaster Taco', Chef: 'Mr. Taco' }))
      .thenSucceeds();
    assert.deepEqual(lines, ['Mr. Taco has prepared Bean Blaster Taco. Yummm!']);
  });
});

describe('the tutorial in embedded mode', () => {
  it('prepares two dishes, runs out at the third, and counts them', async () => {
    const lines: string[] = [];
    const run = await runKitchen({ embedded: {} }, (line) => lines.push(line));
    assert.equal(run.ranOut, true);
    assert.equal(run.counts.get('Bean Blaster Taco'), 2);
    assert.equal(run.counts.get('Avocado Artillery Tortilla'), 1);
    assert.ok(lines.includes('Mr. Taco has prepared Bean Blaster Taco. Yummm!'), lines.join('\n'));
    assert.ok(lines.some((line) => line.includes('We have run out of ingredients, sorry!')));
  });
});
