import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CommittedEvent } from '@dolittle-ts/store';
import { projectionKey } from './projection-key.js';

const event = (content: string) =>
  ({ sequenceNumber: 7, content, type: { id: 'type', generation: 1 } }) as unknown as CommittedEvent;
const key = (content: string) =>
  projectionKey({ kind: 'property', property: 'Table' }, event(content), '', 'projection');

test('property keys are the text Dolittle 6 makes of the value', () => {
  assert.deepEqual(key('{"Table":"T 1"}'), { ok: true, key: 'T 1' });
  assert.deepEqual(key('{"Table":12}'), { ok: true, key: '12' });
  assert.deepEqual(key('{"Table":true}'), { ok: true, key: 'True' });
  assert.deepEqual(key('{"Table":false}'), { ok: true, key: 'False' });
  assert.deepEqual(key('{"Table":null}'), { ok: true, key: '' });
  assert.deepEqual(key('{"Table":{"a":1}}'), { ok: true, key: '{\n  "a": 1\n}' });
});

test('a missing property is a failure that names the event, the property and the projection', () => {
  const result = key('{"Other":1}');
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.reason, /event 7 .*no property 'Table'.*projection projection/);
  assert.equal(key('[1,2]').ok, false);
  assert.equal(key('"Table"').ok, false);
});
