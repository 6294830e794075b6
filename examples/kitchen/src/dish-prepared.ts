import { defineEventType } from '@dolittle-ts/sdk';

/** A chef prepared a dish (the getting-started tutorial's event, same id). */
export interface DishPrepared {
  readonly Dish: string;
  readonly Chef: string;
}

export const DishPrepared = defineEventType<DishPrepared>({
  id: '1844473f-d714-4327-8b7f-5b3c2bdfc26a',
  alias: 'DishPrepared',
});
