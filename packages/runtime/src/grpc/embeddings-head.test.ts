import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExecutionContext } from '@dolittle-ts/fundamentals';
import { RuntimeMetrics } from '../metrics/metrics.js';
import { EmbeddingCompareResponse, EmbeddingResponse, Failure } from './contracts.js';
import { createEmbeddingHead } from './embeddings-head.js';
import type { EmbeddingsReverseCall, ReverseCallConnection } from './reverse-calls/index.js';

test("the embedding head's calls are counted in the processing metrics, a failure as failed", async () => {
  const metrics = new RuntimeMetrics();
  const answers = [
    new EmbeddingResponse().setCompare(new EmbeddingCompareResponse()),
    new EmbeddingResponse().setFailure(new Failure().setReason('the head could not say')),
  ];
  const connection = {
    call: async () => answers.shift(),
  } as unknown as ReverseCallConnection<EmbeddingsReverseCall>;
  const head = createEmbeddingHead(connection, metrics);
  const context = {
    executionContext: { tenantId: 'tenant-e' } as unknown as ExecutionContext,
    signal: new AbortController().signal,
  };
  const current = { kind: 'initial', key: 'k', state: '{}' } as unknown as Parameters<typeof head.compare>[0];
  assert.equal((await head.compare(current, '{}', context)).ok, true);
  assert.equal((await head.compare(current, '{}', context)).ok, false);
  const body = await metrics.registry.metrics();
  const processed = (result: string) =>
    body
      .split('\n')
      .find((l) =>
        l.startsWith(`dolittle_events_processed_total{tenant="tenant-e",kind="embedding",result="${result}"} `),
      );
  assert.match(processed('succeeded') ?? '', / 1$/);
  assert.match(processed('failed') ?? '', / 1$/);
});
