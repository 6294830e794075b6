import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AggregateRootVersion, ArtifactId, EventSourceId, ExecutionContext } from '@dolittle-ts/fundamentals';
import type { EmbeddingHead } from './embedding-head.js';
import type { EmbeddingCurrentState } from './embedding-state.js';
import { transition } from './state-transitions.js';

const type = { id: 'a7c55d7e-0000-4000-8000-000000000001' as ArtifactId, generation: 1 };
const options = {
  eventSourceId: '00000000-0000-0000-0000-000000000001' as EventSourceId,
  initialState: '{"n":0}',
  context: { executionContext: {} as ExecutionContext, signal: new AbortController().signal },
};
const start: EmbeddingCurrentState = {
  type: 'initial',
  key: 'k',
  state: '{"n":0}',
  version: 0 as AggregateRootVersion,
};

/** A counter head: each compare asks for `step` increments; each event adds one. */
function counter(step: number): EmbeddingHead {
  return {
    compare: async () => ({
      ok: true,
      value: Array.from({ length: step }, () => ({ type, public: false, content: '{}' })),
    }),
    delete: async () => ({ ok: true, value: [{ type, public: false, content: '{"delete":true}' }] }),
    project: async (current, event) =>
      event.content === '{"delete":true}'
        ? { ok: true, value: { kind: 'delete' } }
        : { ok: true, value: { kind: 'replace', state: JSON.stringify({ n: JSON.parse(current.state).n + 1 }) } },
  };
}

describe('state transitions', () => {
  it('collects the events of every round until the desired state is reached', async () => {
    const outcome = await transition(counter(2), start, { kind: 'update', desired: '{"n":6}' }, options);
    assert.equal(outcome.kind, 'reached');
    if (outcome.kind !== 'reached') return;
    assert.equal(outcome.events.length, 6);
    assert.deepEqual(outcome.current, { type: 'persisted', key: 'k', state: '{"n":6}', version: 6 });
  });

  it('gives up on a head whose states never repeat and never reach the goal', async () => {
    const outcome = await transition(
      counter(1),
      start,
      { kind: 'update', desired: '{"n":-1}' },
      { ...options, maxRounds: 10 },
    );
    assert.equal(outcome.kind, 'failed');
    if (outcome.kind === 'failed') assert.match(outcome.reason, /did not reach the desired state after 10 rounds/);
  });

  it('reaches a deletion once an event deletes the read model, keeping what it deleted', async () => {
    const persisted: EmbeddingCurrentState = {
      ...start,
      type: 'persisted',
      state: '{"n":3}',
      version: 3 as AggregateRootVersion,
    };
    const outcome = await transition(counter(1), persisted, { kind: 'delete' }, options);
    assert.equal(outcome.kind, 'reached');
    if (outcome.kind !== 'reached') return;
    assert.deepEqual(outcome.current, {
      type: 'deleted',
      key: 'k',
      state: '{"n":0}',
      lastState: '{"n":3}',
      version: 4,
    });
  });
});
