import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TenantId } from '@dolittle-ts/fundamentals';
import { defaultSchemaOf, quoteIdentifier, safeIdentifier, writerLockKey } from './identifiers.js';

test("a tenant's default schema is tenant_ and its id's 32 hex digits, whatever the id's case", () => {
  assert.equal(
    defaultSchemaOf('445F8EA8-1A6F-40D7-B2FC-796DBA92DC44' as TenantId),
    'tenant_445f8ea81a6f40d7b2fc796dba92dc44',
  );
  assert.throws(() => defaultSchemaOf("x'; drop schema public; --" as TenantId), { code: 'InvalidArgument' });
});

test('only allow-listed names reach SQL text, and they are quoted', () => {
  assert.equal(quoteIdentifier(safeIdentifier('schema', 'tenant_abc')), '"tenant_abc"');
  assert.equal(quoteIdentifier(safeIdentifier('database', `_${'a'.repeat(62)}`)), `"_${'a'.repeat(62)}"`);
  for (const bad of ['', 'Tenant', '9lives', 'a-b', 'a b', 'a"b', 'æ', `a${'b'.repeat(63)}`, 'x;drop']) {
    assert.throws(() => safeIdentifier('schema', bad), { code: 'InvalidArgument' }, bad);
  }
  assert.throws(() => safeIdentifier('schema', 'pg_temp'), /reserved/);
});

test('writer lock keys are stable 64-bit values that differ between schemas', () => {
  const a = writerLockKey(safeIdentifier('schema', 'tenant_a'));
  assert.equal(a, writerLockKey(safeIdentifier('schema', 'tenant_a')));
  assert.notEqual(a, writerLockKey(safeIdentifier('schema', 'tenant_b')));
  assert.equal(BigInt.asIntN(64, a), a);
});
