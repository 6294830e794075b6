import { after, before, describe, it } from 'node:test';
import { checkEventStoreModel } from './event-store-property.js';
import { type ModelStorage, modelStorages } from './model-storage.js';

/*
 * Model-based test of the EventStore port on real storage (a SQLite file, a fresh PostgreSQL database): random
 * sequences of commits (plain and aggregate, with current, stale and future expected versions, empty commits and
 * empty batches), event-horizon receives into the default and another scope, two such writes sent at once, reads
 * from any position, fetches of aggregates and reopens (close + open from a new provider), each compared with a model
 * of lists and versions
 * (event-store-model.ts). Short mode: 50 runs per store; RELIABILITY_ROUNDS=N runs N per store.
 */

for (const create of modelStorages) {
  describe(`the event store against its model on ${create.name.replace('ModelStorage', '')}`, () => {
    let storage: ModelStorage;
    before(async () => {
      storage = await create();
    });
    after(() => storage?.dispose());

    it('keeps every outcome and read equal to the model', async (t) => {
      await checkEventStoreModel(t, storage, { shortRuns: 50, maxCommands: 40 });
    });
  });
}
