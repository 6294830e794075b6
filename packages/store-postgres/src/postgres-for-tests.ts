import { randomBytes } from 'node:crypto';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import pg from 'pg';

/*
 * Shared by this package's integration tests (not exported). The server must answer: a test that cannot reach it
 * fails, it never skips.
 */

export const testConnectionString = process.env.DOLITTLE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A prefix no other test run uses, for schema or database names this run creates and later drops. */
export function uniquePrefix(kind: string): string {
  return `${kind}${randomBytes(5).toString('hex')}_`;
}

/** The test URL pointed at another database on the same server. */
export function connectionStringFor(database: string): string {
  const url = new URL(testConnectionString);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withClient<T>(
  work: (client: pg.Client) => Promise<T>,
  connectionString = testConnectionString,
): Promise<T> {
  const client = new pg.Client({ connectionString });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Drops every schema whose name starts with `prefix` (which must be a plain identifier prefix). */
export async function dropSchemas(prefix: string, connectionString = testConnectionString): Promise<void> {
  await withClient(async (client) => {
    const result = await client.query<{ nspname: string }>(
      "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1) AND nspname ~ '^[a-z_][a-z0-9_]*$'",
      [prefix],
    );
    for (const { nspname } of result.rows) await client.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
  }, connectionString);
}

export async function dropDatabase(name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a test database name: ${name}`);
  await withClient(
    (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    connectionStringFor('postgres'),
  );
}

/** Backend pids of the writer connections of `schema` (the writer names itself in application_name). */
export async function writerPids(schema: string): Promise<number[]> {
  return withClient(async (client) => {
    const result = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
      `dolittle-ts writer ${schema}`.slice(0, 63),
    ]);
    return result.rows.map((r) => r.pid);
  });
}

export async function terminateBackend(pid: number): Promise<void> {
  await withClient((client) => client.query('SELECT pg_terminate_backend($1)', [pid]));
}

/**
 * A TCP proxy in front of the test server that can lose a connection at the worst moment: `cutAfter(marker)`
 * forwards the next chunk a client sends that holds `marker`, then drops that connection before any answer
 * comes back. The server executes what it got; the client never learns the outcome.
 */
export async function startCuttingProxy(): Promise<{
  readonly connectionString: string;
  cutAfter(marker: string): void;
  close(): Promise<void>;
}> {
  const target = new URL(testConnectionString);
  let armed: Buffer | undefined;
  const sockets = new Set<Socket>();
  const server = createServer((downstream) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(downstream).add(upstream);
    downstream.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      if (armed !== undefined && chunk.includes(armed)) {
        armed = undefined;
        downstream.destroy();
        upstream.end();
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!downstream.destroyed) downstream.write(chunk);
    });
    for (const socket of [downstream, upstream]) {
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        downstream.destroy();
        upstream.end();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(testConnectionString);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  return {
    connectionString: url.toString(),
    cutAfter: (marker) => {
      armed = Buffer.from(marker);
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
