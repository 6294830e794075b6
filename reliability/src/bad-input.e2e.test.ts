/*
 * Bad input over gRPC: random bytes and structure-aware malformed requests (wrong wire types, ids of 0/15/17/1000
 * bytes, missing contexts, unknown tenants, invalid JSON, deep nesting, huge strings, truncation, bad first messages
 * on reverse calls) to every method the Runtime serves, on both its ports. The Runtime must answer each with a clear
 * error, stay alive and keep serving normal requests after every burst, and leave the event log exactly as it was.
 *
 * RELIABILITY_ROUNDS (default 16) sets the structure-aware cases per method; random-byte cases are a third of that.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RuntimeProcess, startRuntimeProcess } from '@dolittle-ts/compat/harness';
import { developmentTenant, type Guid } from '@dolittle-ts/fundamentals';
import { FetchForAggregateResponse } from '@dolittle-ts/runtime/testing';
import fc from 'fast-check';
import { judge, type Verdict } from './clear-answers.js';
import { GrpcConnection } from './grpc-wire.js';
import { malformedRequest, randomBytes } from './malformed-requests.js';
import { isAlive } from './process-health.js';
import { encode } from './protobuf-tree.js';
import { reliabilityRounds } from './rounds.js';
import { type RequestIds, type RuntimeMethod, runtimeMethods } from './runtime-methods.js';
import { type EventLogSnapshot, snapshotEventLog } from './store-snapshot.js';
import { type StoreUnderTest, storesUnderTest } from './stores.js';

const structuredRuns = reliabilityRounds(16);
const randomRuns = Math.max(4, Math.ceil(structuredRuns / 3));
/** Bad requests sent all at once per method, after the sequential ones. */
const burstSize = Math.min(64, structuredRuns);

const seeded: RequestIds = {
  tenant: developmentTenant as string as Guid,
  eventType: '7c3b2a10-4d5e-4f60-8a71-92b3c4d5e6f7' as Guid,
  aggregateRoot: '1a2b3c4d-5e6f-4a0b-8c1d-2e3f4a5b6c7d' as Guid,
  eventSource: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a' as Guid,
  processor: 'aa11bb22-cc33-4d44-8e55-ff6677889900' as Guid,
};
const seededAggregateEvents = 3;

for (const create of storesUnderTest) {
  describe(`bad input over gRPC to every Runtime method (${create.name.replace('UnderTest', '')})`, () => {
    let store: StoreUnderTest;
    let runtime: RuntimeProcess;
    let logBefore: EventLogSnapshot;

    before(async () => {
      store = await create();
      runtime = await startRuntimeProcess({ store: store.runtimeStore, logLevel: 'warn', metrics: false });
      await seed(runtime);
      await runtime.stop();
      logBefore = await snapshot(store, runtime);
      runtime = await runtime.restart({ samePorts: false });
    });
    after(async () => {
      await runtime?.dispose();
      await store?.dispose();
    });

    it('answers every bad request with a clear error, stays up, and changes nothing', {
      timeout: 600_000,
    }, async (t) => {
      const methods = runtimeMethods;
      let total = 0;
      for (const method of methods) {
        const port = method.port === 'private' ? runtime.privatePort : runtime.publicPort;
        const connection = new GrpcConnection(port);
        const outcomes = new Map<string, number>();
        const kinds = { structured: 0, random: 0, burst: 0 };
        const ids = () => ({ ...seeded, processor: crypto.randomUUID() as Guid });
        try {
          for (const [kind, arbitrary, numRuns] of [
            ['structured', malformedRequest(method, ids), structuredRuns],
            ['random', randomBytes(4096), randomRuns],
          ] as const) {
            await fc.assert(
              fc.asyncProperty(arbitrary, async (bad) => {
                kinds[kind]++;
                const verdict = await judge(connection, method, bad.bytes);
                count(outcomes, verdict);
                assert.ok(
                  verdict.clear,
                  `${method.name} [${bad.labels.join('; ')}] (${bad.bytes.length} bytes): ${verdict.clear ? '' : verdict.why}`,
                );
              }),
              { numRuns, includeErrorInReport: true },
            );
          }
          // Then a burst in parallel on the same connection (requests up to 1 MiB, so the burst stays modest).
          const burst = fc
            .sample(fc.oneof(malformedRequest(method, ids), randomBytes(4096)), burstSize * 2)
            .filter((bad) => bad.bytes.length <= 1024 * 1024)
            .slice(0, burstSize);
          const verdicts = await Promise.all(burst.map((bad) => judge(connection, method, bad.bytes)));
          verdicts.forEach((verdict, i) => {
            count(outcomes, verdict);
            assert.ok(
              verdict.clear,
              `${method.name} in a burst [${burst[i]?.labels.join('; ')}]: ${verdict.clear ? '' : verdict.why}`,
            );
          });
          kinds.burst = burst.length;
        } finally {
          connection.close();
        }
        total += kinds.structured + kinds.random + kinds.burst;
        // After each burst: the process is alive and a normal client is served.
        assert.ok(isAlive(runtime.pid) && runtime.running, `the Runtime died during the ${method.name} burst`);
        await assertServesNormalRequest(runtime);
        t.diagnostic(
          `${method.name}: ${kinds.structured} structure-aware + ${kinds.random} random requests, then ${kinds.burst} at once; answers: ${[
            ...outcomes,
          ]
            .sort((a, b) => b[1] - a[1])
            .map(([label, n]) => `${label}×${n}`)
            .join(', ')}; then a normal request was served`,
        );
      }

      // The one contract method the Runtime does not serve (as Dolittle 6 does not).
      const connection = new GrpcConnection(runtime.privatePort);
      const unserved = await connection.unary(
        '/dolittle.runtime.events.processing.Processors/Connect',
        Buffer.alloc(0),
      );
      connection.close();
      assert.equal(unserved.status, 12, `Processors.Connect: ${unserved.message}`);
      assert.match(unserved.message, /Processors\/Connect/);
      t.diagnostic(`Processors.Connect (not served): UNIMPLEMENTED "${unserved.message}"`);

      await runtime.stop();
      const logAfter = await snapshot(store, runtime);
      assert.equal(logAfter.count, logBefore.count, 'the event log has as many events as before');
      assert.deepEqual(logAfter.events, logBefore.events, 'the event log is byte-for-byte what it was');
      t.diagnostic(
        `${methods.length} methods, ${total} bad requests; event log before = after: ${logBefore.count} events, identical; the Runtime stopped cleanly (exit code 0)`,
      );
    });
  });
}

function count(outcomes: Map<string, number>, verdict: Verdict): void {
  const label = verdict.clear
    ? verdict.kind === 'failure'
      ? `failure ${verdict.label}`
      : `${verdict.label} "${verdict.reason.replace(/\d+/g, 'N').slice(0, 60)}"`
    : 'UNCLEAR';
  outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
}

/** Commits a few events and an aggregate's events with the same valid requests the fuzzer starts from. */
async function seed(runtime: RuntimeProcess): Promise<void> {
  const connection = new GrpcConnection(runtime.privatePort);
  try {
    const byName = (name: string) => runtimeMethods.find((m) => m.name === name) as RuntimeMethod & { kind: 'unary' };
    for (let i = 0; i < 5; i++) {
      const commit = byName('EventStore.Commit');
      const answer = await connection.unary(commit.path, encode(commit.valid(seeded)));
      assert.equal(answer.status, 0, answer.message);
      assert.equal(commit.failureOf(answer.messages[0] ?? Buffer.alloc(0)), undefined);
    }
    const aggregate = byName('EventStore.CommitForAggregate');
    for (let version = 0; version < seededAggregateEvents; version++) {
      const answer = await connection.unary(
        aggregate.path,
        encode(aggregate.valid({ ...seeded, aggregateVersion: version })),
      );
      assert.equal(answer.status, 0, answer.message);
      assert.equal(
        aggregate.failureOf(answer.messages[0] ?? Buffer.alloc(0)),
        undefined,
        `aggregate commit ${version}`,
      );
    }
  } finally {
    connection.close();
  }
}

async function assertServesNormalRequest(runtime: RuntimeProcess): Promise<void> {
  const connection = new GrpcConnection(runtime.privatePort);
  try {
    const fetch = runtimeMethods.find((m) => m.name === 'EventStore.FetchForAggregate') as RuntimeMethod & {
      kind: 'unary';
    };
    const answer = await connection.unary(fetch.path, encode(fetch.valid(seeded)), { timeoutMs: 10_000 });
    assert.equal(answer.status, 0, `a normal FetchForAggregate failed: ${answer.message}`);
    const response = FetchForAggregateResponse.deserializeBinary(answer.messages[0] ?? Buffer.alloc(0));
    assert.equal(response.getFailure(), undefined, response.getFailure()?.getReason());
    assert.equal(response.getEvents()?.getEventsList().length, seededAggregateEvents);
  } finally {
    connection.close();
  }
}

async function snapshot(store: StoreUnderTest, runtime: RuntimeProcess): Promise<EventLogSnapshot> {
  const provider = store.openDirectly(runtime.dataDir);
  try {
    return await snapshotEventLog(provider, developmentTenant);
  } finally {
    await provider.close();
  }
}
