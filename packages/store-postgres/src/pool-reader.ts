import { InvalidArgument, StoreUnavailable } from '@dolittle-ts/fundamentals';
import type pg from 'pg';
import { messageOf, sqlStateOf } from './connection.js';
import type { SafeIdentifier } from './identifiers.js';
import type { Statement } from './statements.js';

/**
 * One tenant schema's reads, on the read pool (shared with the provider's other tenants). Each read is one
 * statement, so it sees one snapshot. Reads never go through the writer: they do not wait behind writes.
 */
export class PoolReader {
  readonly #pool: pg.Pool;
  readonly #schema: SafeIdentifier;
  readonly #where: string;

  constructor(pool: pg.Pool, schema: SafeIdentifier, where: string) {
    this.#pool = pool;
    this.#schema = schema;
    this.#where = where;
  }

  /** The rows as objects, by column name. `what` names what is read, for messages ("stream …"). */
  async rows<R extends pg.QueryResultRow>(statement: Statement, values: unknown[], what: string): Promise<R[]> {
    try {
      return (await this.#pool.query<R>({ ...statement, values })).rows;
    } catch (error) {
      throw this.#failure(error, what);
    }
  }

  /** The rows as arrays of column values, in the statement's column order: no object per row. */
  async arrays<R extends readonly unknown[]>(statement: Statement, values: unknown[], what: string): Promise<R[]> {
    try {
      return (await this.#pool.query<unknown[]>({ ...statement, values, rowMode: 'array' })).rows as unknown as R[];
    } catch (error) {
      throw this.#failure(error, what);
    }
  }

  #failure(error: unknown, what: string): Error {
    // 22P02: a value PostgreSQL could not read as its column's type, e.g. an id that is not a GUID.
    if (sqlStateOf(error) === '22P02') return new InvalidArgument('id', messageOf(error));
    return new StoreUnavailable(
      `reading ${what} in schema ${this.#schema} at ${this.#where} failed: ${messageOf(error)}`,
      { cause: error },
    );
  }
}
