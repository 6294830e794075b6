/*
 * The proxy the uncertain-outcome check relies on, against the real server: each kind of commit point it cuts
 * reaches PostgreSQL and commits there, while the client only sees its connection fail; nothing else is cut.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { testPostgresUrl } from '@dolittle-ts/compat/harness';
import pg from 'pg';
import { type CommitCuttingProxy, startCommitCuttingProxy } from './commit-cutting-proxy.js';

describe('the commit-cutting proxy', () => {
  const table = `reliability_proxy_${randomBytes(5).toString('hex')}`;
  let proxy: CommitCuttingProxy;
  let direct: pg.Client;

  before(async () => {
    const server = new URL(testPostgresUrl());
    proxy = await startCommitCuttingProxy({ host: server.hostname, port: Number(server.port || 5432) });
    direct = await connect(testPostgresUrl());
    await direct.query(`CREATE TABLE ${table} (n integer)`);
  });
  after(async () => {
    await direct?.query(`DROP TABLE IF EXISTS ${table}`);
    await direct?.end();
    await proxy?.close();
  });

  async function viaProxy(): Promise<pg.Client> {
    return connect(proxy.through(testPostgresUrl()));
  }

  async function rows(): Promise<number[]> {
    const result = await direct.query<{ n: number }>(`SELECT n FROM ${table} ORDER BY n`);
    return result.rows.map((r) => r.n);
  }

  it('passes everything through while not armed, and a COMMIT cut ignores a lone INSERT', async () => {
    const client = await viaProxy();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO ${table} VALUES ($1)`, [1]);
      await client.query('COMMIT');
      // Armed for an explicit COMMIT, a lone INSERT (its own implicit transaction) gets its answer: not cut.
      void proxy.cutNext('COMMIT');
      await client.query(`INSERT INTO ${table} VALUES ($1)`, [2]);
      proxy.disarm();
      assert.deepEqual(await rows(), [1, 2]);
    } finally {
      await client.end();
    }
  });

  for (const [name, commit] of [
    ['simple query COMMIT', (client: pg.Client) => client.query('COMMIT')],
    [
      'extended COMMIT',
      (client: pg.Client) => client.query({ text: 'COMMIT', queryMode: 'extended' } as pg.QueryConfig),
    ],
  ] as const) {
    it(`cuts after a ${name}: the client gets an error, the server committed`, async () => {
      const client = await viaProxy();
      const n = name.startsWith('simple') ? 10 : 20;
      await client.query('BEGIN');
      await client.query(`INSERT INTO ${table} VALUES ($1)`, [n]);
      const cut = proxy.cutNext('COMMIT');
      await assert.rejects(commit(client));
      assert.equal((await cut).message, name);
      await client.end().catch(() => {});
      assert.ok((await waitForRow(n)).includes(n), 'the cut commit landed');
    });
  }

  it('cuts after the Sync of a lone INSERT when armed for implicit commits', async () => {
    const client = await viaProxy();
    const cut = proxy.cutNext('implicit');
    await assert.rejects(client.query(`INSERT INTO ${table} VALUES ($1)`, [30]));
    assert.equal((await cut).message, 'Sync after INSERT');
    await client.end().catch(() => {});
    assert.ok((await waitForRow(30)).includes(30), 'the cut insert landed');
  });

  /** The server finishes the cut commit on its own time; wait briefly for it to be visible. */
  async function waitForRow(n: number): Promise<number[]> {
    for (let attempt = 0; ; attempt++) {
      const seen = await rows();
      if (seen.includes(n) || attempt >= 50) return seen;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
});

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  return client;
}
