/*
 * A second connection to the test server that finds the sessions a Runtime holds on its database
 * (pg_stat_activity) and ends them (pg_terminate_backend), as an operator or a failover would.
 */
import { testPostgresUrl } from '@dolittle-ts/compat/harness';
import pg from 'pg';

export interface Backend {
  readonly pid: number;
  readonly applicationName: string;
  readonly state: string;
}

export interface PostgresSessions {
  /** Every session on `database` but this connection's own. */
  backends(): Promise<Backend[]>;
  /** Ends the sessions; resolves with how many PostgreSQL said it signalled. */
  terminate(pids: readonly number[]): Promise<number>;
  close(): Promise<void>;
}

export async function connectPostgresSessions(database: string): Promise<PostgresSessions> {
  const client = new pg.Client({ connectionString: testPostgresUrl(), application_name: 'reliability check' });
  client.on('error', () => {});
  await client.connect();
  return {
    async backends() {
      const result = await client.query<{ pid: number; application_name: string; state: string | null }>(
        'SELECT pid, application_name, state FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database],
      );
      return result.rows.map((row) => ({
        pid: row.pid,
        applicationName: row.application_name,
        state: row.state ?? '',
      }));
    },
    async terminate(pids) {
      const result = await client.query<{ ended: boolean }>(
        'SELECT pg_terminate_backend(pid) AS ended FROM unnest($1::int[]) AS pid',
        [pids],
      );
      return result.rows.filter((row) => row.ended).length;
    },
    close: () => client.end(),
  };
}

/** The database a postgres:// URL names. */
export function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}
