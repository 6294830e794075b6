import { randomBytes } from 'node:crypto';
import pg from 'pg';

/*
 * A throw-away PostgreSQL database for the property tests, on the server named by DOLITTLE_TEST_POSTGRES. The store
 * creates it on first use (a schema per tenant); `drop` removes it with whoever is still connected. A server that
 * does not answer fails the test, it never skips.
 */

export interface TestDatabase {
  readonly connectionString: string;
  drop(): Promise<void>;
}

const serverUrl = process.env.DOLITTLE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

export function freshTestDatabase(prefix: string): TestDatabase {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    connectionString: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      client.on('error', () => {});
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
