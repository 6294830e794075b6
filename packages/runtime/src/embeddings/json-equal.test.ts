import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonEqual } from './json-equal.js';

describe('jsonEqual', () => {
  it('ignores key order and whitespace', () => {
    assert.equal(jsonEqual('{"a":1,"b":{"c":[1,2],"d":null}}', '{ "b": { "d": null, "c": [1, 2] }, "a": 1 }'), true);
    assert.equal(jsonEqual('1.0', '1'), true);
  });

  it('tells different values apart', () => {
    assert.equal(jsonEqual('{"a":1}', '{"a":"1"}'), false);
    assert.equal(jsonEqual('{"a":1}', '{"a":1,"b":2}'), false);
    assert.equal(jsonEqual('{"a":1,"b":2}', '{"a":1,"c":2}'), false);
    assert.equal(jsonEqual('[1,2]', '[2,1]'), false);
    assert.equal(jsonEqual('[]', '{}'), false);
    assert.equal(jsonEqual('{"a":null}', '{}'), false);
  });

  it('treats text that is not JSON as equal to nothing but itself', () => {
    assert.equal(jsonEqual('{', '{}'), false);
    assert.equal(jsonEqual('{', '{'), true);
  });
});
