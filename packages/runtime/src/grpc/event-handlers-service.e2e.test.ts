import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { developmentTenant } from '@dolittle-ts/fundamentals';
import type { RunningRuntime } from '../server.js';
import { connectEventHandlerHead, type EventHandlerHead, type HandledEvent } from '../testing/event-handler-head.js';
import {
  callContext,
  type EventStoreClient,
  eventStoreClient,
  startTestRuntime,
  testConfig,
  uncommittedEvent,
} from '../testing/runtime-fixture.js';
import { CommitEventsRequest, type CommitEventsResponse } from './contracts.js';

const handled = '6a7b5d9e-1c2d-4e3f-8a9b-0c1d2e3f4a5b';
const other = '7b8c6e0f-2d3e-4f50-9bac-1d2e3f4a5b6c';

async function waitFor(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('EventHandlers.Connect', () => {
  let runtime: RunningRuntime;
  let client: EventStoreClient;
  const heads: EventHandlerHead[] = [];

  before(async () => {
    runtime = await startTestRuntime(testConfig());
    client = eventStoreClient(runtime.endpoints.private.port);
  });
  after(async () => {
    for (const head of heads) head.close();
    client.close();
    await runtime.stop();
  });

  async function commit(events: { source: string; type: string; n: number }[]): Promise<number[]> {
    const request = new CommitEventsRequest();
    request.setCallcontext(callContext());
    request.setEventsList(events.map((e) => uncommittedEvent(e.source, e.type, { n: e.n, source: e.source })));
    const response = await client.call<CommitEventsResponse>('commit', request);
    assert.equal(response.getFailure(), undefined);
    return response.getEventsList().map((e) => e.getEventlogsequencenumber());
  }

  function head(options: Omit<Parameters<typeof connectEventHandlerHead>[0], 'port'>): EventHandlerHead {
    const connected = connectEventHandlerHead({ port: runtime.endpoints.private.port, ...options });
    heads.push(connected);
    return connected;
  }

  it('delivers every event of its types in order per partition, catch-up and live, and a failing partition waits alone', async () => {
    const sources = Array.from({ length: 5 }, () => crypto.randomUUID());
    const before = await commit(
      Array.from({ length: 50 }, (_, n) => ({ source: sources[n % 5] as string, type: n % 2 ? handled : other, n })),
    );
    const seen: HandledEvent[] = [];
    let failuresLeft = 2;
    const id = crypto.randomUUID();
    const h = head({
      eventHandlerId: id,
      types: [handled],
      partitioned: true,
      handle: (event) => {
        if (event.eventSourceId === sources[0] && failuresLeft > 0) {
          failuresLeft--;
          return { reason: 'not yet', retryAfterMs: 200 };
        }
        seen.push(event);
        return undefined;
      },
    });
    assert.equal(await h.registered, undefined);
    const live = await commit(
      Array.from({ length: 50 }, (_, n) => ({
        source: sources[n % 5] as string,
        type: n % 2 ? handled : other,
        n: 50 + n,
      })),
    );
    const expected = [...before, ...live].filter((_, i) => i % 2 === 1);
    await waitFor(() => new Set(seen.map((e) => e.sequenceNumber)).size === expected.length, 15_000, 'all events');
    assert.deepEqual(
      [...new Set(seen.map((e) => e.sequenceNumber))].sort((a, b) => a - b),
      expected,
      'every event of its type, none of the other type',
    );
    for (const source of sources) {
      const numbers = seen.filter((e) => e.eventSourceId === source).map((e) => e.sequenceNumber);
      assert.deepEqual(
        numbers,
        [...numbers].sort((a, b) => a - b),
        `in order for partition ${source}`,
      );
      for (const e of seen.filter((x) => x.eventSourceId === source)) assert.equal(e.partition, source);
    }
    const firstOfFailing = seen.findIndex((e) => e.eventSourceId === sources[0]);
    assert.ok(firstOfFailing > 0, 'other partitions progressed while the failing one waited');
    const retried = seen.find((e) => e.eventSourceId === sources[0]);
    assert.equal(retried?.retryCount, 1, 'retryCount = attempts - 1 on the successful retry');
    assert.ok(seen.every((e) => e.tenant === (developmentTenant as string)));
  });

  it('halts an unpartitioned handler at its failing event', async () => {
    const source = crypto.randomUUID();
    const seen: number[] = [];
    let fail = true;
    const numbers = await commit(Array.from({ length: 5 }, (_, n) => ({ source, type: handled, n })));
    const failing = numbers[2] as number;
    const h = head({
      eventHandlerId: crypto.randomUUID(),
      types: [handled],
      partitioned: false,
      handle: (event) => {
        if (event.sequenceNumber === failing && fail) return { reason: 'broken', retryAfterMs: 300 };
        seen.push(event.sequenceNumber);
        return undefined;
      },
    });
    assert.equal(await h.registered, undefined);
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.ok(!seen.some((n) => n > failing), 'nothing after the failing event is handled while it fails');
    fail = false;
    await waitFor(() => seen.includes(numbers[4] as number), 10_000, 'recovery');
    const ours = seen.filter((n) => numbers.includes(n));
    assert.deepEqual(
      ours,
      numbers.filter((n) => n >= (numbers[0] as number)),
    );
  });

  it('refuses a second head for the same handler while the first is connected', async () => {
    const id = crypto.randomUUID();
    const first = head({ eventHandlerId: id, types: [handled], partitioned: true, handle: () => undefined });
    assert.equal(await first.registered, undefined);
    const second = head({ eventHandlerId: id, types: [handled], partitioned: true, handle: () => undefined });
    assert.match((await second.registered) ?? '', /already registered/);
  });

  it('refuses a re-registration whose added types were already filtered', async () => {
    const id = crypto.randomUUID();
    const source = crypto.randomUUID();
    const seen: number[] = [];
    const first = head({
      eventHandlerId: id,
      types: [handled],
      partitioned: true,
      handle: (e) => void seen.push(e.sequenceNumber),
    });
    assert.equal(await first.registered, undefined);
    const [last] = await commit([
      { source, type: other, n: 1 },
      { source, type: handled, n: 2 },
    ]).then((n) => n.slice(-1));
    await waitFor(() => seen.includes(last as number), 10_000, 'handled');
    first.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = head({ eventHandlerId: id, types: [handled, other], partitioned: true, handle: () => undefined });
    assert.match((await second.registered) ?? '', /added or removed event types that have already been filtered/);
  });
});
