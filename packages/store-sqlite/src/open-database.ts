import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  DolittleError,
  StoreConsistency,
  StoreLocked,
  StoreUnavailable,
  UnsafeDurability,
} from '@dolittle-ts/fundamentals';
import Database from 'better-sqlite3';

/** Where a tenant's SQLite database lives: a file, or memory (tests and embedded use; no durability, no lock). */
export type SqliteTarget = { readonly file: string } | { readonly memory: true };

export interface SqliteOpenOptions {
  /** Open even when SQLite does not give WAL with `synchronous=FULL`; acknowledged commits may then be lost. */
  readonly allowUnsafeDurability?: boolean;
  /** How long opening waits for another holder of the file to let go before failing with `StoreLocked`. */
  readonly lockTimeoutMs?: number;
}

/** The durability settings a connection ended up with, as SQLite reports them (not as they were asked for). */
export interface SqliteDurability {
  readonly journalMode: string;
  readonly synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
}

const synchronousNames = ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const;
const defaultLockTimeoutMs = 100;

/**
 * Opens a tenant's database and makes this connection its only writer.
 *
 * A file is opened with `locking_mode=EXCLUSIVE` and its write lock is taken at once (`BEGIN IMMEDIATE`): SQLite
 * then holds the lock until the connection closes (or the process dies), so another process or connection can
 * neither write nor read the file meanwhile and fails here with `StoreLocked`. WAL with `synchronous=FULL` makes
 * a commit durable when it returns; if SQLite does not take those settings, opening fails with
 * `UnsafeDurability` unless `allowUnsafeDurability` is set.
 */
export function openDatabase(
  target: SqliteTarget,
  location: string,
  options: SqliteOpenOptions,
): { db: Database.Database; durability: SqliteDurability } {
  if ('memory' in target) {
    const db = new Database(':memory:');
    return { db, durability: { journalMode: 'memory', synchronous: synchronousOf(db) } };
  }

  let db: Database.Database;
  try {
    if (target.file !== ':memory:' && target.file !== '') mkdirSync(dirname(target.file), { recursive: true });
    db = new Database(target.file, { timeout: options.lockTimeoutMs ?? defaultLockTimeoutMs });
  } catch (error) {
    throw openError(error, location);
  }
  try {
    // EXCLUSIVE before WAL: SQLite then keeps the WAL index in process memory and never shares it.
    db.pragma('locking_mode = EXCLUSIVE');
    const journalMode = String(db.pragma('journal_mode = WAL', { simple: true }));
    db.pragma('synchronous = FULL');
    db.exec('BEGIN IMMEDIATE; COMMIT');
    const durability: SqliteDurability = { journalMode, synchronous: synchronousOf(db) };
    if (!options.allowUnsafeDurability) assertDurable(durability, location);
    return { db, durability };
  } catch (error) {
    db.close();
    throw openError(error, location);
  }
}

function synchronousOf(db: Database.Database): SqliteDurability['synchronous'] {
  const level = Number(db.pragma('synchronous', { simple: true }));
  return synchronousNames[level] ?? 'OFF';
}

function assertDurable(durability: SqliteDurability, location: string): void {
  if (durability.journalMode === 'wal' && (durability.synchronous === 'FULL' || durability.synchronous === 'EXTRA')) {
    return;
  }
  throw new UnsafeDurability(
    `${location}: SQLite gave journal_mode=${durability.journalMode} and synchronous=${durability.synchronous}, but a commit is only safe from a crash or power loss with journal_mode=wal and synchronous=FULL. Put the file on a local disk that supports WAL, or allow unsafe durability explicitly to accept losing acknowledged commits`,
  );
}

function openError(error: unknown, location: string): Error {
  if (error instanceof DolittleError) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreLocked(
      `${location} is locked: another Runtime (or another store in this process) has it open as the tenant's writer. Stop that Runtime, or give this tenant another file`,
      { cause: error },
    );
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new StoreConsistency(`${location} is not a readable SQLite database (${message})`, { cause: error });
  }
  return new StoreUnavailable(`${location} could not be opened: ${message}`, { cause: error });
}

/** Fails with `StoreUnavailable` once the store's connection is closed. */
export function assertOpen(db: Database.Database, location: string): void {
  if (!db.open) throw new StoreUnavailable(`${location} is closed`);
}
