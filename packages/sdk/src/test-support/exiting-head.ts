// A head that connects (argv[2]: an address, or `embedded`), handles one event, closes, and must then exit by itself.
import { DolittleClient } from '../client.js';
import { defineEventHandler } from '../event-handlers.js';
import { defineProjection, fromProperty } from '../projections.js';
import { DishPrepared, newId } from './kitchen.js';

const target = process.argv[2] ?? 'embedded';
let handled: (dish: string) => void = () => {};
const done = new Promise<string>((resolve) => {
  handled = resolve;
});
const client = await DolittleClient.connect({
  runtime: target === 'embedded' ? { embedded: {} } : target,
  eventHandlers: [
    defineEventHandler({
      id: newId(),
      events: { DishPrepared },
      handle: { DishPrepared: (event) => handled(event.Dish) },
    }),
  ],
  projections: [
    defineProjection({
      id: newId(),
      events: { DishPrepared },
      initial: { count: 0 },
      on: { DishPrepared: { key: fromProperty('Dish'), project: (state) => ({ count: state.count + 1 }) } },
    }),
  ],
});
await client.eventStore.commit(DishPrepared, { Dish: 'Bean Blaster Taco', Chef: 'Mr. Taco' }, newId());
console.log(`handled ${await done}`);
await client.close();
console.log('closed');
