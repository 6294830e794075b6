import { defineAggregate } from '@dolittle-ts/sdk';
import { DishPrepared } from './dish-prepared.js';

/** The aggregates tutorial's kitchen: two portions of ingredients, then it has run out. */
export const Kitchen = defineAggregate({
  id: '01ad9a9f-711f-47a8-a549-43320f782a1e',
  alias: 'Kitchen',
  events: { DishPrepared },
  initial: { ingredients: 2 },
  on: {
    DishPrepared: (kitchen) => ({ ingredients: kitchen.ingredients - 1 }),
  },
  commands: {
    prepareDish(kitchen, { dish, chef }: { dish: string; chef: string }) {
      if (kitchen.state.ingredients <= 0) throw new Error('We have run out of ingredients, sorry!');
      kitchen.apply(DishPrepared, { Dish: dish, Chef: chef });
    },
  },
});

/** The kitchen of the tutorial: "Dolittle Tacos". */
export const dolittleTacos = 'bfe6f6e4-ada2-4344-8a3b-65a3e1fe16e9';
