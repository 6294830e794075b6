import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import eventStorePb from '@dolittle/runtime.contracts/Events/EventStore_pb.js';
import { type Guid, guidFromBytes, guidToBytes } from '@dolittle-ts/fundamentals';
import { benchEventTypeId, commitEventsTemplate } from '../support/event-store-wire.js';
import { withEventType } from './measure.js';
import { parseGrowthOptions } from './options.js';

const { CommitEventsRequest } = eventStorePb;

describe('withEventType', () => {
  it('gives every event of a stamped request the new type, and keeps the rest of the request', () => {
    const original = commitEventsTemplate(3);
    const typeId = randomUUID();
    const template = withEventType(original, guidToBytes(benchEventTypeId as Guid), guidToBytes(typeId as Guid));
    const before = CommitEventsRequest.deserializeBinary(original.stamp(7));
    const after = CommitEventsRequest.deserializeBinary(template.stamp(7));
    assert.equal(after.getEventsList().length, 3);
    after.getEventsList().forEach((event, i) => {
      const was = before.getEventsList()[i];
      assert.equal(guidFromBytes(event.getArtifact()?.getId()?.getValue_asU8() ?? new Uint8Array()), typeId);
      assert.equal(event.getContent(), was?.getContent());
      assert.deepEqual(event.getEventsourceid()?.getValue_asU8(), was?.getEventsourceid()?.getValue_asU8());
    });
    // The original template is untouched.
    const again = CommitEventsRequest.deserializeBinary(original.stamp(7)).getEventsList()[0];
    assert.equal(guidFromBytes(again?.getArtifact()?.getId()?.getValue_asU8() ?? new Uint8Array()), benchEventTypeId);
  });

  it('refuses a type id the template does not hold', () => {
    assert.throws(
      () =>
        withEventType(commitEventsTemplate(1), guidToBytes(randomUUID() as Guid), guidToBytes(randomUUID() as Guid)),
      /not in the request template/,
    );
  });
});

describe('parseGrowthOptions', () => {
  it('takes the issue sizes by default and the short ones with --quick', () => {
    assert.deepEqual(parseGrowthOptions([], '/b').sizes.logSizes, [0, 100_000, 1_000_000]);
    assert.deepEqual(parseGrowthOptions(['--quick'], '/b').sizes.logSizes, [0, 100_000, 200_000]);
    assert.deepEqual(parseGrowthOptions([], '/b').sizes.tenantCounts, [1, 10, 100]);
  });

  it('sorts and de-duplicates given sizes and refuses what is not a count', () => {
    assert.deepEqual(parseGrowthOptions(['--tenants', '10,1,10'], '/b').sizes.tenantCounts, [1, 10]);
    assert.throws(() => parseGrowthOptions(['--logs', '0,lots'], '/b'), /--logs takes whole numbers ≥ 0.*"lots"/s);
    assert.throws(() => parseGrowthOptions(['--tenants', '0'], '/b'), /--tenants takes whole numbers ≥ 1/);
    assert.throws(() => parseGrowthOptions(['--store', 'mysql'], '/b'), /--store must be sqlite, postgres or all/);
  });

  it('refuses flags it does not know', () => {
    assert.throws(() => parseGrowthOptions(['--partitions', '1'], '/b'));
  });
});
