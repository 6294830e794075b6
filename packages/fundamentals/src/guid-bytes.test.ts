import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { guidFromBytes, guidToBytes } from './guid-bytes.js';
import { type Guid, parseGuid } from './ids.js';

// The vectors were produced with the official SDK's own Guid class (copied from the spec, beside this file).
const vectorsFile = new URL('../src/fixtures/guid-byte-order-vectors.json', import.meta.url);
function vectors(): { string: string; bytesHex: string }[] {
  return JSON.parse(readFileSync(vectorsFile, 'utf8'));
}

test('GUIDs map to the exact bytes the official SDK sends, and back', () => {
  const all = vectors();
  assert.ok(all.length >= 7);
  for (const v of all) {
    const bytes = guidToBytes(v.string as Guid);
    assert.equal(Buffer.from(bytes).toString('hex'), v.bytesHex, v.string);
    assert.equal(guidFromBytes(Buffer.from(v.bytesHex, 'hex')), v.string);
  }
});

test('only 16-byte values are GUIDs', () => {
  assert.equal(guidFromBytes(new Uint8Array(15)), undefined);
  assert.equal(guidFromBytes(new Uint8Array(17)), undefined);
  assert.equal(guidFromBytes(new Uint8Array(0)), undefined);
});

test('parseGuid accepts any case and refuses everything else', () => {
  assert.equal(parseGuid('445F8EA8-1A6F-40D7-B2FC-796DBA92DC44'), '445f8ea8-1a6f-40d7-b2fc-796dba92dc44');
  assert.equal(parseGuid('445f8ea8-1a6f-40d7-b2fc-796dba92dc4'), undefined);
  assert.equal(parseGuid("'; drop table events; --"), undefined);
});
