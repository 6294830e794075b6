import { defineEventHandler } from '@dolittle-ts/sdk';
import { DishPrepared } from './dish-prepared.js';

/** The getting-started handler: tells what was prepared (to `log`, the console by default). */
export function createDishHandler(
  log: (line: string) => void = console.log,
  onHandled: (sequenceNumber: number) => void = () => {},
) {
  return defineEventHandler({
    id: 'f2d366cf-c00a-4479-acc4-851e04b6fbba',
    alias: 'DishHandler',
    events: { DishPrepared },
    handle: {
      DishPrepared: (event, context) => {
        log(`${event.Chef} has prepared ${event.Dish}. Yummm!`);
        onHandled(context.sequenceNumber);
      },
    },
  });
}
