import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidConfiguration, StoreUnavailable } from '@dolittle-ts/fundamentals';
import { describeProblem } from './runtime-command.js';

test('a problem is one line, with its cause when the message does not already say it', () => {
  assert.equal(
    describeProblem(new InvalidConfiguration('.dolittle/tenants.json', 'x', 'not a GUID')),
    '.dolittle/tenants.json (x): not a GUID',
  );
  const refused = new Error('connect ECONNREFUSED 127.0.0.1:1');
  assert.equal(
    describeProblem(new StoreUnavailable('PostgreSQL at 127.0.0.1:1 cannot be reached', { cause: refused })),
    'PostgreSQL at 127.0.0.1:1 cannot be reached: connect ECONNREFUSED 127.0.0.1:1',
  );
  assert.equal(describeProblem(new Error('first\n  second')), 'first second');
  assert.equal(describeProblem('plain'), 'plain');
});
