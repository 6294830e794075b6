import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import type { Tenant, Tenants } from '../tenancy/tenants.js';
import { runForEveryTenant } from './registration.js';

const tenants = { all: () => [{ id: 'a' }, { id: 'b' }] as unknown as Tenant[] } as unknown as Tenants;

/** Work that runs until its signal aborts, as processors do. */
const untilAborted = (_: Tenant, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

test('a registration run with a signal that aborted before it started stops at once and is released', async () => {
  let released = 0;
  const registration = runForEveryTenant(tenants, () => released++, pino({ level: 'silent' }), untilAborted);
  const gone = new AbortController();
  gone.abort();
  const outcome = await Promise.race([
    registration.run(gone.signal).then(() => 'stopped'),
    new Promise((resolve) => setTimeout(() => resolve('still running'), 1000)),
  ]);
  assert.equal(outcome, 'stopped');
  assert.equal(released, 1);
});

test('a failing tenant stops the others and the failure is rethrown', async () => {
  const registration = runForEveryTenant(
    tenants,
    () => {},
    pino({ level: 'silent' }),
    (tenant, signal) =>
      tenant.id === ('a' as never) ? Promise.reject(new Error('store down')) : untilAborted(tenant, signal),
  );
  await assert.rejects(registration.run(new AbortController().signal), /store down/);
});
