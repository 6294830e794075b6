import { setTimeout as sleep } from 'node:timers/promises';
import { StoreLocked } from '@dolittle-ts/fundamentals';
import type pg from 'pg';
import { type SafeIdentifier, writerLockKey } from './identifiers.js';

interface LockHolder {
  readonly pid: number;
  readonly application_name: string | null;
  readonly client_addr: string | null;
  readonly backend_start: Date | null;
}

/**
 * Takes the schema's writer lock: a session-level advisory lock, held by the writer connection until it ends.
 * While one connection holds it no other Runtime (or provider) can open the tenant for writing.
 *
 * `formerPid` is this store's own previous writer session, when reconnecting after losing it: PostgreSQL may
 * not have noticed yet that it is gone, or it may still be finishing a statement. That session is ours, so it is
 * terminated (it must never commit after we re-read the log) and the lock awaited for up to `waitMs`.
 * A lock held by any other session throws `StoreLocked`.
 */
export async function acquireWriterLock(
  client: pg.Client,
  schema: SafeIdentifier,
  where: string,
  options: { readonly formerPid?: number | undefined; readonly waitMs: number },
): Promise<void> {
  const key = writerLockKey(schema);
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [
      key.toString(),
    ]);
    if (result.rows[0]?.locked === true) return;

    const holder = await holderOf(client, key);
    if (holder !== undefined && holder.pid !== options.formerPid) throw lockedBy(holder, schema, where);
    if (Date.now() >= deadline) {
      throw new StoreLocked(
        `schema ${schema} in ${where} is still locked by this store's previous writer session (pid ${options.formerPid}) after ${options.waitMs} ms: end it with SELECT pg_terminate_backend(${options.formerPid})`,
      );
    }
    if (holder !== undefined) {
      await client.query('SELECT pg_terminate_backend($1)', [holder.pid]).catch(() => {});
    }
    await sleep(20);
  }
}

async function holderOf(client: pg.Client, key: bigint): Promise<LockHolder | undefined> {
  // pg_locks shows a bigint advisory key as its high (classid) and low (objid) 32 bits, with objsubid 1.
  const unsigned = BigInt.asUintN(64, key);
  const result = await client.query<LockHolder>(
    `SELECT l.pid, a.application_name, a.client_addr::text AS client_addr, a.backend_start
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid`,
    [(unsigned >> 32n).toString(), (unsigned & 0xffffffffn).toString()],
  );
  return result.rows[0];
}

function lockedBy(holder: LockHolder, schema: string, where: string): StoreLocked {
  const details = [
    `backend pid ${holder.pid}`,
    holder.application_name ? `application "${holder.application_name}"` : undefined,
    holder.client_addr ? `client ${holder.client_addr}` : undefined,
    holder.backend_start ? `connected since ${holder.backend_start.toISOString()}` : undefined,
  ].filter((d) => d !== undefined);
  return new StoreLocked(
    `schema ${schema} in ${where} is locked by another writer (${details.join(', ')}): only one Runtime may write a tenant. Stop the other Runtime, or if that session is stale, end it with SELECT pg_terminate_backend(${holder.pid})`,
  );
}
