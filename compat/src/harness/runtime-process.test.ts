import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReadyLine } from './runtime-process';

test('parseReadyLine reads ports, store and tenants', () => {
  const ready = parseReadyLine(
    'Dolittle Runtime ready private=127.0.0.1:40123 public=0.0.0.0:40124 metrics=127.0.0.1:9700 store=sqlite (/tmp/x/data) tenants=445f8ea8-1a6f-40d7-b2fc-796dba92dc44,1c707441-95f3-4214-9f12-9ef4e2d1ea2a',
  );
  assert.equal(ready.privateHost, '127.0.0.1');
  assert.equal(ready.privatePort, 40123);
  assert.equal(ready.publicHost, '0.0.0.0');
  assert.equal(ready.publicPort, 40124);
  assert.equal(ready.metricsPort, 9700);
  assert.equal(ready.store, 'sqlite (/tmp/x/data)');
  assert.deepEqual(ready.tenants, ['445f8ea8-1a6f-40d7-b2fc-796dba92dc44', '1c707441-95f3-4214-9f12-9ef4e2d1ea2a']);
});

test('parseReadyLine accepts metrics turned off and IPv6 hosts', () => {
  for (const metrics of ['off', 'localhost:off']) {
    const ready = parseReadyLine(
      `Dolittle Runtime ready private=[::1]:1 public=:::2 metrics=${metrics} store=memory tenants=445f8ea8-1a6f-40d7-b2fc-796dba92dc44`,
    );
    assert.equal(ready.privateHost, '[::1]');
    assert.equal(ready.privatePort, 1);
    assert.equal(ready.publicHost, '::');
    assert.equal(ready.publicPort, 2);
    assert.equal(ready.metricsPort, undefined);
    assert.equal(ready.store, 'memory');
  }
});

test('parseReadyLine refuses a line without ports', () => {
  assert.throws(() => parseReadyLine('Dolittle Runtime ready private=somewhere store=memory tenants='), /private/);
});
