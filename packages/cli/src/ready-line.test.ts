import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatReadyLine } from './ready-line.js';

const tenants = ['445f8ea8-1a6f-40d7-b2fc-796dba92dc44', '7f1c0d3a-1b2c-4d5e-8f90-a1b2c3d4e5f6'];

test('the ready line names every endpoint, the store and the tenants', () => {
  const line = formatReadyLine(
    {
      endpoints: {
        private: { host: '0.0.0.0', port: 50053 },
        public: { host: '0.0.0.0', port: 50052 },
        metrics: { host: '0.0.0.0', port: 9700 },
      },
      storeDescription: 'sqlite:/app/.dolittle/data',
    },
    tenants,
  );
  assert.equal(
    line,
    'Dolittle Runtime ready private=0.0.0.0:50053 public=0.0.0.0:50052 metrics=0.0.0.0:9700 store=sqlite:/app/.dolittle/data tenants=445f8ea8-1a6f-40d7-b2fc-796dba92dc44,7f1c0d3a-1b2c-4d5e-8f90-a1b2c3d4e5f6',
  );
});

test('the ready line says metrics=off and brackets IPv6 hosts so the port follows the last colon', () => {
  const line = formatReadyLine(
    {
      endpoints: { private: { host: '::', port: 1 }, public: { host: '::1', port: 2 }, metrics: undefined },
      storeDescription: 'sqlite:memory',
    },
    tenants.slice(0, 1),
  );
  assert.match(line, / private=\[::\]:1 public=\[::1\]:2 metrics=off store=sqlite:memory tenants=445f8ea8-/);
  const [, host, port] = /private=(\S+):(\d+)/.exec(line) ?? [];
  assert.equal(host, '[::]');
  assert.equal(port, '1');
});
