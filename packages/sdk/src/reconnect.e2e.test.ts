// Remote mode only: a Runtime that goes away and comes back. Processors register again by themselves (with
// back-off), and handling goes on from where the Runtime had persisted it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DolittleClient } from './client.js';
import type { DolittleSdkError } from './errors.js';
import { defineEventHandler } from './event-handlers.js';
import { silentLogger } from './logger.js';
import { employeeEmbedding } from './test-support/employees.js';
import { DishPrepared, newId } from './test-support/kitchen.js';
import { type RuntimeProcess, startRuntimeProcess } from './test-support/modes.js';
import { eventually } from './testing/in-process-runtime.js';

describe('a remote client when the Runtime restarts', { timeout: 120_000 }, () => {
  let runtime: RuntimeProcess;
  before(async () => {
    runtime = await startRuntimeProcess();
  });
  after(async () => {
    await runtime.dispose();
  });

  it('registers its processors again and keeps handling', async () => {
    const seen: string[] = [];
    const handler = defineEventHandler({
      id: newId(),
      events: { DishPrepared },
      handle: { DishPrepared: (event) => void seen.push(event.Dish) },
    });
    const { Employees } = employeeEmbedding();
    const client = await DolittleClient.connect({
      runtime: runtime.address,
      eventHandlers: [handler],
      embeddings: [Employees],
      logger: silentLogger,
      reconnect: { initialDelayMs: 100, maxDelayMs: 500 },
    });
    try {
      await client.eventStore.commit(DishPrepared, { Dish: 'before', Chef: 'A' }, newId());
      await eventually(() => seen.includes('before'));
      await client.embeddings.update(Employees, 'anna', { name: 'Anna', workplace: 'Kitchen' });

      await runtime.kill();
      await assert.rejects(
        client.eventStore.commit(DishPrepared, { Dish: 'while down', Chef: 'A' }, newId()),
        (e: DolittleSdkError) => e.code === 'Unavailable',
      );
      // The in-memory store starts empty: the handler starts over, and sees what is committed from now on.
      await runtime.restart({ samePorts: true });
      await eventually(
        async () => {
          await client.eventStore.commit(DishPrepared, { Dish: 'after', Chef: 'A' }, newId());
          return true;
        },
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      await eventually(() => seen.includes('after'), { timeoutMs: 20_000 });
      // The embedding registered again too: updates reach its head (NoEmbeddingRegisteredForTenant until then).
      const updated = await eventually(
        () => client.embeddings.update(Employees, 'anna', { name: 'Anna', workplace: 'Bar' }),
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      assert.deepEqual(updated, { name: 'Anna', workplace: 'Bar' });
    } finally {
      await client.close();
    }
  });

  it('waits in connect for a Runtime that is not up yet', async () => {
    await runtime.kill();
    const handler = defineEventHandler({ id: newId(), events: { DishPrepared }, handle: { DishPrepared: () => {} } });
    const connecting = DolittleClient.connect({
      runtime: runtime.address,
      eventHandlers: [handler],
      logger: silentLogger,
      reconnect: { initialDelayMs: 100, maxDelayMs: 300 },
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await runtime.restart({ samePorts: true });
    const client = await connecting;
    await client.close();
  });
});
