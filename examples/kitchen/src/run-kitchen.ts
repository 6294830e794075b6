/*
 * The tutorial, end to end: connect (to a Runtime, or one in this process), let the chefs prepare dishes through
 * the Kitchen aggregate until it runs out, read the DishCounter, close.
 */
import { DolittleClient, type RuntimeTarget } from '@dolittle-ts/sdk';
import { DishCounter } from './dish-counter.js';
import { createDishHandler } from './dish-handler.js';
import { DishPrepared } from './dish-prepared.js';
import { dolittleTacos, Kitchen } from './kitchen.js';

export interface KitchenRun {
  readonly counts: ReadonlyMap<string, number>;
  readonly ranOut: boolean;
}

export async function runKitchen(
  runtime: RuntimeTarget,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<KitchenRun> {
  const handled = new Set<number>();
  const client = await DolittleClient.connect({
    runtime,
    version: '1.0.0',
    eventTypes: [DishPrepared],
    aggregates: [Kitchen],
    eventHandlers: [createDishHandler(log, (sequenceNumber) => handled.add(sequenceNumber))],
    projections: [DishCounter],
    ...(signal === undefined ? {} : { signal }),
  });
  try {
    log(`Connected to ${client.runtime}`);
    const kitchen = client.aggregates.get(Kitchen, dolittleTacos);
    let ranOut = false;
    let last = -1;
    for (const [dish, chef] of [
      ['Bean Blaster Taco', 'Mr. Taco'],
      ['Avocado Artillery Tortilla', 'Mrs. Tex Mex'],
      ['Chili Canon Wrap', 'Mrs. Tex Mex'],
    ] as const) {
      try {
        const done = await kitchen.prepareDish(
          { dish, chef },
          { retry: true, ...(signal === undefined ? {} : { signal }) },
        );
        last = Math.max(last, ...done.events.map((event) => event.sequenceNumber));
      } catch (error) {
        ranOut = true;
        log(`${chef} could not prepare ${dish}: ${(error as Error).message}`);
      }
    }
    // Also commit straight to the event store, as the getting-started tutorial does.
    const committed = await client.eventStore.commit(
      DishPrepared,
      { Dish: 'Bean Blaster Taco', Chef: 'Mr. Taco' },
      dolittleTacos,
    );
    last = Math.max(last, committed.sequenceNumber);

    // Handlers and projections are eventually consistent: wait until the handler has seen our last event and the
    // counter has counted every dish the handler has seen.
    const deadline = Date.now() + 10_000;
    const total = (counts: Map<string, { numberOfTimesPrepared: number }>) =>
      [...counts.values()].reduce((sum, counter) => sum + counter.numberOfTimesPrepared, 0);
    let counts = await client.projections.getAll(DishCounter);
    while (!(handled.has(last) && total(counts) >= handled.size) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      counts = await client.projections.getAll(DishCounter);
    }
    for (const counter of counts.values()) {
      log(`The kitchen has prepared ${counter.name} ${counter.numberOfTimesPrepared} times`);
    }
    return { counts: new Map([...counts].map(([dish, counter]) => [dish, counter.numberOfTimesPrepared])), ranOut };
  } finally {
    await client.close();
  }
}
