// A throw-away PostgreSQL database per test suite, on the server named by DOLITTLE_TEST_POSTGRES. The Runtime
// creates the database on first use; the harness only picks a fresh name and drops it afterwards. A server that does
// not answer is an error, never a reason to skip.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const defaultTestPostgres = 'postgres://postgres@127.0.0.1:5432/test';

export interface PostgresDatabase {
  /** `postgres://…/dolittle_compat_<random>`: what `--store` takes. */
  readonly url: string;
  readonly name: string;
  /** Drops the database, disconnecting whoever is still connected (`WITH (FORCE)`). Idempotent. */
  drop(): Promise<void>;
}

/** The administrative connection string: `DOLITTLE_TEST_POSTGRES` or the default. */
export function testPostgresUrl(): string {
  return process.env.DOLITTLE_TEST_POSTGRES ?? defaultTestPostgres;
}

/**
 * Names a database that does not exist yet on the test server and checks that the server answers.
 * @throws when PostgreSQL does not answer at DOLITTLE_TEST_POSTGRES.
 */
export async function freshPostgresDatabase(prefix = 'dolittle_compat'): Promise<PostgresDatabase> {
  const adminUrl = testPostgresUrl();
  await withAdminClient(adminUrl, async (client) => {
    await client.query('SELECT 1');
  });
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      await withAdminClient(adminUrl, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      });
      dropped = true;
    },
  };
}

/** Whether a database of that name exists on the test server. */
export async function postgresDatabaseExists(name: string): Promise<boolean> {
  return withAdminClient(testPostgresUrl(), async (client) => {
    const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return result.rowCount === 1;
  });
}

async function withAdminClient<T>(adminUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL does not answer at ${redact(adminUrl)} (${(error as Error).message}). ` +
        'Start it or point DOLITTLE_TEST_POSTGRES at one; PostgreSQL-backed tests never skip.',
      { cause: error },
    );
  }
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
