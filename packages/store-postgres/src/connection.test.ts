import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressOf } from './connection.js';
import { describeLocation } from './postgres-tenant-store.js';

test('locations name host, port, database and schema, never the user or password', () => {
  const location = describeLocation({
    connectionString: 'postgres://runtime:s3cret@db.example:6543/events?sslmode=disable',
    schema: 'tenant_1',
  });
  assert.equal(location, 'postgres db.example:6543/events schema tenant_1');
  assert.equal(addressOf('postgres://u@h/d').display, 'h:5432/d');
});

test('a URL that names no database, or is no URL, is refused without echoing it', () => {
  assert.throws(() => addressOf('postgres://h:1'), { code: 'InvalidArgument' });
  assert.throws(
    () => addressOf('host=db password=s3cret dbname=events'),
    (error: Error & { code?: string }) => error.code === 'InvalidArgument' && !error.message.includes('s3cret'),
  );
});
