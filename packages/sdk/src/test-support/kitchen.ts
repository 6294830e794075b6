// The getting-started kitchen, as the SDK's own tests use it (fresh ids per test keep tests apart on one Runtime).
import { createGuid } from '@dolittle-ts/fundamentals';
import { z } from 'zod';
import { defineAggregate } from '../aggregates.js';
import { defineEventType } from '../event-types.js';

export interface DishPrepared {
  readonly Dish: string;
  readonly Chef: string;
}

export const DishPrepared = defineEventType<DishPrepared>({
  id: '1844473f-d714-4327-8b7f-5b3c2bdfc26a',
  alias: 'DishPrepared',
});

export const ChefHired = defineEventType({
  id: 'e2c7b9f0-2f1e-4c5b-9a43-5b7a7c1e6d01',
  alias: 'ChefHired',
  schema: z.object({ Chef: z.string().min(1), Salary: z.number().int().positive() }),
});

export const IngredientsRestocked = defineEventType<{ readonly amount: number }>({
  id: '5f2a1c55-93a4-4b0f-8d3c-2b8d2a7a4e10',
  alias: 'IngredientsRestocked',
  public: true,
});

export const Kitchen = defineAggregate({
  id: '01ad9a9f-711f-47a8-a549-43320f782a1e',
  alias: 'Kitchen',
  events: { DishPrepared, IngredientsRestocked },
  initial: { ingredients: 2, prepared: [] as string[] },
  on: {
    DishPrepared: (state, event) => ({ ingredients: state.ingredients - 1, prepared: [...state.prepared, event.Dish] }),
    IngredientsRestocked: (state, event) => ({ ...state, ingredients: state.ingredients + event.amount }),
  },
  commands: {
    prepareDish(kitchen, { dish, chef }: { dish: string; chef: string }) {
      if (kitchen.state.ingredients <= 0) throw new Error('We have run out of ingredients, sorry!');
      kitchen.apply(DishPrepared, { Dish: dish, Chef: chef });
      return kitchen.state.ingredients;
    },
    restock(kitchen, amount: number) {
      kitchen.apply(IngredientsRestocked, { amount });
    },
  },
});

export const newId = () => createGuid() as string;
