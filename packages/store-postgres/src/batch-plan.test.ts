import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type AggregateRootVersion,
  asAggregateRootId,
  asArtifactId,
  asCorrelationId,
  asEventSourceId,
  createGuid,
  defaultScope,
  developmentMicroservice,
  developmentTenant,
  type ExecutionContext,
} from '@dolittle-ts/fundamentals';
import type { Commit } from '@dolittle-ts/store';
import { aggregateKey, aggregatesOf, planBatch } from './batch-plan.js';

const executionContext: ExecutionContext = {
  microserviceId: developmentMicroservice,
  tenantId: developmentTenant,
  version: { major: 1, minor: 0, patch: 0, build: 0, preRelease: '' },
  correlationId: asCorrelationId(createGuid()),
  claims: [],
  environment: 'Test',
};
const type = { id: asArtifactId(createGuid()), generation: 1 };
const rootId = asAggregateRootId(createGuid());
const eventSourceId = asEventSourceId(createGuid());
const aggregate = (expected: number, contents: string[]): Commit => ({
  kind: 'aggregate',
  executionContext,
  aggregateRootId: rootId,
  eventSourceId,
  expectedVersion: expected as AggregateRootVersion,
  events: contents.map((content) => ({ type, public: false, content })),
});
const events = (contents: string[]): Commit => ({
  kind: 'events',
  executionContext,
  events: contents.map((content) => ({ eventSourceId: asEventSourceId(createGuid()), type, public: true, content })),
});
const occurred = new Date(0);

test('commits are decided in array order; later ones see the versions earlier ones gave', () => {
  const batch = [aggregate(5, ['{}', '{}']), aggregate(5, ['{}']), events([]), aggregate(7, ['{}']), events(['{}'])];
  assert.deepEqual(aggregatesOf(batch), { rootIds: [rootId], eventSourceIds: [eventSourceId] });
  const plan = planBatch(batch, {
    scope: defaultScope,
    nextSequenceNumber: 10,
    versions: new Map([[aggregateKey(rootId, eventSourceId), 5]]),
    occurred,
  });
  assert.deepEqual(
    plan.outcomes.map((o) => (o.ok ? o.events.map((e) => [e.sequenceNumber, e.aggregate?.version]) : o.failure)),
    [
      [
        [10, 5],
        [11, 6],
      ],
      { kind: 'AggregateRootConcurrencyConflict', expected: 5, actual: 7 },
      { kind: 'NoEventsToCommit' },
      [[12, 7]],
      [[13, undefined]],
    ],
  );
  assert.equal(plan.count, 4);
  assert.equal(plan.firstSequenceNumber, 10);
  assert.deepEqual(plan.aggregates, { rootIds: [rootId], eventSourceIds: [eventSourceId], versions: [8] });
  assert.deepEqual(plan.columns.contextIndexes, [1, 1, 2, 3]);
  assert.equal(plan.columns.executionContexts.length, 3);
  assert.deepEqual(plan.columns.aggregateVersions, [5, 6, 7, null]);
});

test('an unknown aggregate root instance is at version 0', () => {
  const plan = planBatch([aggregate(1, ['{}']), aggregate(0, ['{}'])], {
    scope: defaultScope,
    nextSequenceNumber: 0,
    versions: new Map(),
    occurred,
  });
  assert.deepEqual(
    plan.outcomes.map((o) => o.ok),
    [false, true],
  );
});

test('content PostgreSQL text cannot hold is refused before anything is sent', () => {
  for (const content of ['{"a":"\u0000"}', '{"a":"\ud800"}']) {
    assert.throws(
      () =>
        planBatch([events(['{}']), events(['{}', content])], {
          scope: defaultScope,
          nextSequenceNumber: 0,
          versions: new Map(),
          occurred,
        }),
      (error: Error & { code?: string }) =>
        error.code === 'InvalidArgument' && /batch\[1\]\.events\[1\]/.test(error.message),
    );
  }
});
