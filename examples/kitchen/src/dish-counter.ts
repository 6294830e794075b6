import { defineProjection, fromProperty } from '@dolittle-ts/sdk';
import { DishPrepared } from './dish-prepared.js';

/** The projections tutorial's read model: how many times each dish was prepared. */
export const DishCounter = defineProjection({
  id: '98f9db66-b6ca-4e5f-9fc3-638626c9ecfa',
  alias: 'DishCounter',
  events: { DishPrepared },
  initial: { name: 'Unknown', numberOfTimesPrepared: 0 },
  on: {
    DishPrepared: {
      key: fromProperty('Dish'),
      project: (counter, event) => ({ name: event.Dish, numberOfTimesPrepared: counter.numberOfTimesPrepared + 1 }),
    },
  },
});
