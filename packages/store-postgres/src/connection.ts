import { InvalidArgument, StoreUnavailable } from '@dolittle-ts/fundamentals';
import pg from 'pg';
import { parse, parseIntoClientConfig } from 'pg-connection-string';
import { quoteIdentifier, safeIdentifier } from './identifiers.js';

/** Where one tenant's event store lives: a database (by URL) and a schema in it. */
export interface PostgresLocation {
  /** A libpq-style URL naming the database: postgres://user@host:port/database */
  readonly connectionString: string;
  /** The tenant's schema in that database; created on first use. */
  readonly schema: string;
}

export interface DatabaseAddress {
  /** host:port/database, never the user or password: it goes into logs and error messages. */
  readonly display: string;
  readonly database: string;
}

export function addressOf(connectionString: string): DatabaseAddress {
  let parsed: ReturnType<typeof parse> | undefined;
  try {
    if (/^postgres(ql)?:\/\//.test(connectionString)) parsed = parse(connectionString);
  } catch {
    // The parser's own error may quote the URL, password included.
  }
  if (parsed === undefined) {
    throw new InvalidArgument('connectionString', 'is not a PostgreSQL URL (postgres://user@host:port/database)');
  }
  const database = parsed.database ?? '';
  if (database === '') throw new InvalidArgument('connectionString', 'names no database (postgres://…/database)');
  return { display: `${parsed.host || 'localhost'}:${parsed.port || 5432}/${database}`, database };
}

/** SQLSTATE of a server error, if it is one. */
export function sqlStateOf(error: unknown): string | undefined {
  return error instanceof pg.DatabaseError ? error.code : undefined;
}

/**
 * True when the error says the connection is gone or unusable (as opposed to the server refusing one statement):
 * a socket error, the server ending the session (admin shutdown, crash, `pg_terminate_backend`), or a client that
 * is no longer queryable. After one of these, what the server did with the last statement is unknown.
 */
export function isConnectionFailure(error: unknown): boolean {
  const state = sqlStateOf(error);
  if (state === undefined) return true;
  return state.startsWith('08') || state === '57P01' || state === '57P02' || state === '57P03';
}

/** Connects a client, creating the database first when it does not exist and `createDatabase` allows it. */
export async function connectClient(
  config: pg.ClientConfig & { readonly connectionString: string },
  options: { readonly createDatabase: boolean },
): Promise<pg.Client> {
  try {
    return await connectOnce(config);
  } catch (error) {
    if (sqlStateOf(error) !== '3D000') throw unavailable(config.connectionString, error);
    if (!options.createDatabase) {
      throw new StoreUnavailable(
        `database ${addressOf(config.connectionString).display} does not exist: create it, or let the store create it (createDatabase)`,
        { cause: error },
      );
    }
  }
  await createDatabase(config.connectionString);
  try {
    return await connectOnce(config);
  } catch (error) {
    throw unavailable(config.connectionString, error);
  }
}

async function connectOnce(config: pg.ClientConfig): Promise<pg.Client> {
  const client = new pg.Client(config);
  // Without a listener an 'error' event (the server ending an idle session) would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

/** CREATE DATABASE through the server's `postgres` database; losing a race to another creator is fine. */
async function createDatabase(connectionString: string): Promise<void> {
  const address = addressOf(connectionString);
  const name = safeIdentifier('database', address.database);
  let admin: pg.Client;
  try {
    admin = await connectOnce({ ...parseIntoClientConfig(connectionString), database: 'postgres' });
  } catch (error) {
    throw new StoreUnavailable(
      `database ${address.display} does not exist and the server's postgres database, needed to create it, did not answer: ${messageOf(error)}`,
      { cause: error },
    );
  }
  try {
    await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
  } catch (error) {
    const state = sqlStateOf(error);
    // 42P04: it exists now; 23505: a concurrent CREATE DATABASE of the same name won.
    if (state !== '42P04' && state !== '23505') {
      throw new StoreUnavailable(`could not create database ${address.display}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  } finally {
    await admin.end().catch(() => {});
  }
}

export function unavailable(connectionString: string, error: unknown): StoreUnavailable {
  return new StoreUnavailable(`PostgreSQL at ${addressOf(connectionString).display}: ${messageOf(error)}`, {
    cause: error,
  });
}

export function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(messageOf).join('; ');
  if (error instanceof Error) return error.message === '' ? error.name : error.message;
  return String(error);
}
