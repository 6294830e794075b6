/*
 * A Runtime owns its tenants' stores: a second Runtime started on the same store must not start writing. It stops
 * at start with a clear message, and the first one keeps serving.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RuntimeProcess, startRuntimeProcess } from '@dolittle-ts/compat/harness';
import { eventStoreClient } from '@dolittle-ts/runtime/testing';
import { type StoreUnderTest, storesUnderTest } from './stores.js';
import { commitEvents } from './workload.js';

for (const create of storesUnderTest) {
  describe(`a second Runtime on the same store (${create.name.replace('UnderTest', '')})`, () => {
    let store: StoreUnderTest;
    let first: RuntimeProcess;

    before(async () => {
      store = await create();
      first = await startRuntimeProcess({ store: store.runtimeStore, logLevel: 'warn', metrics: false });
    });
    after(async () => {
      await first?.dispose();
      await store?.dispose();
    });

    it('refuses to start, naming the lock, while the first keeps serving', async () => {
      await assert.rejects(
        startRuntimeProcess({
          store: store.runtimeStore,
          dataDir: first.dataDir,
          logLevel: 'warn',
          metrics: false,
          readyTimeoutMs: 15_000,
        }),
        (error: Error) => {
          assert.match(error.message, /another Runtime|locked|holds/i);
          return true;
        },
      );
      const client = eventStoreClient(first.privatePort);
      try {
        const numbers = await commitEvents({ client, stopped: false }, ['{"still":"serving"}']);
        assert.equal(numbers.length, 1);
      } finally {
        client.close();
      }
    });
  });
}
