import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guidToBytes } from '@dolittle-ts/fundamentals';
import { cityHash128 } from './city-hash-128.js';
import { eventSourceIdForKey } from './embedding-key.js';

describe('eventSourceIdForKey', () => {
  it('reads CityHash128 as .NET Guid bytes: low64 then high64, each little-endian', () => {
    // CityHash128 of no bytes is (low 3df09dfc64c09a2b, high 3cb540c392e51e29) (the reference test vectors).
    assert.equal(eventSourceIdForKey(''), '64c09a2b-9dfc-3df0-291e-e592c340b53c');
  });

  it('hashes the key as UTF-16LE, like .NET Encoding.Unicode', () => {
    for (const key of ['anna', 'Ærøskøbing', 'emoji 🍕 key', '445f8ea8-1a6f-40d7-b2fc-796dba92dc44']) {
      const hash = cityHash128(new Uint8Array(Buffer.from(key, 'utf16le')));
      const bytes = guidToBytes(eventSourceIdForKey(key) as string as Parameters<typeof guidToBytes>[0]);
      const view = new DataView(bytes.buffer);
      assert.deepEqual([view.getBigUint64(0, true), view.getBigUint64(8, true)], [hash.low, hash.high], key);
    }
  });

  it('encodes a lone surrogate as U+FFFD, as the .NET encoder does', () => {
    assert.equal(eventSourceIdForKey('a\ud800b'), eventSourceIdForKey('a\ufffdb'));
    assert.equal(eventSourceIdForKey('\udc00'), eventSourceIdForKey('\ufffd'));
    assert.notEqual(eventSourceIdForKey('\ud83c\udf55'), eventSourceIdForKey('\ufffd\ufffd'));
  });

  it('gives different keys different event sources, and the same key always the same one', () => {
    assert.equal(eventSourceIdForKey('anna'), eventSourceIdForKey('anna'));
    assert.notEqual(eventSourceIdForKey('anna'), eventSourceIdForKey('Anna'));
  });
});
