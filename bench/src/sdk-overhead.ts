#!/usr/bin/env node
/*
 * What our SDK costs on top of the wire: a commit round trip and event-handler dispatch, through the SDK and through
 * a bare client that speaks Dolittle's contracts by hand (remote), or through the in-process engine API directly
 * (embedded). Prints a table and writes bench/results/sdk-overhead.json. Target: SDK cost ÷ bare ≤ 1.2.
 *
 * - commit round trip: sequential one-event commits; the bare client and the SDK take turns call by call, so both
 *   meet the same Runtime (log size, JIT, background work).
 * - handler dispatch: a fresh Runtime holding `--events` events, then a fresh unpartitioned handler timed from
 *   registration until it handled them all (events one after the other: the per-event round trip dominates).
 *
 *   node bench/dist/sdk-overhead.js [--quick] [--commits N] [--events N] [--rounds N]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startRuntimeProcess } from '@dolittle-ts/compat/harness';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '@dolittle-ts/runtime/embedded';
import {
  CommitEventsRequest,
  type CommitEventsResponse,
  callContext,
  connectEventHandlerHead,
  eventStoreClient,
  uncommittedEvent,
} from '@dolittle-ts/runtime/testing';
import {
  DolittleClient,
  defineEventHandler,
  defineEventType,
  type RuntimeTarget,
  silentLogger,
} from '@dolittle-ts/sdk';
import { Latencies } from './support/latencies.js';
import { describeMachine } from './support/machine.js';
import { formatFigure, formatTable } from './support/table.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    commits: { type: 'string' },
    events: { type: 'string' },
    rounds: { type: 'string' },
  },
});
const commits = Number(values.commits ?? (values.quick ? 300 : 2000));
const dispatchEvents = Number(values.events ?? (values.quick ? 1000 : 5000));
const rounds = Number(values.rounds ?? (values.quick ? 2 : 3));

const DishPrepared = defineEventType<{ Dish: string; Chef: string }>({ id: '1844473f-d714-4327-8b7f-5b3c2bdfc26a' });
const content = { Dish: 'Bean Blaster Taco', Chef: 'Mr. Taco' };
const tenant = '445f8ea8-1a6f-40d7-b2fc-796dba92dc44';
const scope = '00000000-0000-0000-0000-000000000000';
const guid = () => crypto.randomUUID();

type Mode = 'remote' | 'embedded';

interface Row {
  readonly mode: Mode;
  readonly measure: string;
  readonly bare: number;
  readonly sdk: number;
  readonly unit: 'ms' | 'events/s';
  /** SDK cost ÷ bare cost: the latency ratio, or the inverse throughput ratio. */
  readonly ratio: number;
  /** What the SDK adds per call (latency) or per event (throughput), in µs. */
  readonly extraMicros: number;
}

function latencyRows(mode: Mode, bare: Latencies, sdk: Latencies): Row[] {
  const stats = (latencies: Latencies) => {
    const sorted = latencies.sorted();
    const at = (p: number) =>
      sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
    return { p50: at(50), p99: at(99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
  };
  const b = stats(bare);
  const s = stats(sdk);
  return (['p50', 'mean', 'p99'] as const).map((key) => ({
    mode,
    measure: `commit round trip ${key}`,
    bare: b[key],
    sdk: s[key],
    unit: 'ms',
    ratio: s[key] / b[key],
    extraMicros: (s[key] - b[key]) * 1000,
  }));
}

function dispatchRow(mode: Mode, bareRates: number[], sdkRates: number[]): Row {
  const bare = Math.max(...bareRates);
  const sdk = Math.max(...sdkRates);
  return {
    mode,
    measure: 'handler dispatch (best)',
    bare,
    sdk,
    unit: 'events/s',
    ratio: bare / sdk,
    extraMicros: (1 / sdk - 1 / bare) * 1e6,
  };
}

async function takeTurns(bare: () => Promise<unknown>, sdk: () => Promise<unknown>): Promise<[Latencies, Latencies]> {
  for (let i = 0; i < 300; i++) {
    await bare();
    await sdk();
  }
  const latencies: [Latencies, Latencies] = [new Latencies(), new Latencies()];
  for (let i = 0; i < commits; i++) {
    const order = i % 2 === 0 ? ([0, 1] as const) : ([1, 0] as const);
    for (const which of order) {
      const started = performance.now();
      await (which === 0 ? bare() : sdk());
      latencies[which].record(performance.now() - started);
    }
  }
  return latencies;
}

/** Times a handler registered by `register` until it has handled `dispatchEvents` events already in the log. */
async function timeDispatch(
  commitMany: (events: number, source: string) => Promise<void>,
  register: (id: string, onEvent: () => void) => Promise<() => Promise<void>>,
): Promise<number> {
  for (let left = dispatchEvents; left > 0; left -= 100) await commitMany(Math.min(100, left), guid());
  let handled = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const started = performance.now();
  const stop = await register(guid(), () => {
    handled += 1;
    if (handled === dispatchEvents) done();
  });
  await finished;
  const rate = dispatchEvents / ((performance.now() - started) / 1000);
  await stop();
  return rate;
}

/** A handler through the SDK: one client with one unpartitioned handler. */
function sdkHandler(runtime: RuntimeTarget) {
  return async (id: string, onEvent: () => void) => {
    const client = await DolittleClient.connect({
      runtime,
      logger: silentLogger,
      eventHandlers: [
        defineEventHandler({
          id,
          partitioned: false,
          events: { DishPrepared },
          handle: { DishPrepared: () => onEvent() },
        }),
      ],
    });
    return () => client.close();
  };
}

function sdkCommits(client: DolittleClient) {
  return async (events: number, source: string) => {
    await client.eventStore.commit(Array.from({ length: events }, () => DishPrepared.create(content, source)));
  };
}

async function remote(): Promise<Row[]> {
  const runtime = await startRuntimeProcess({ store: 'memory', logLevel: 'warn', metrics: false });
  const bare = eventStoreClient(runtime.privatePort);
  const sdk = await DolittleClient.connect({ runtime: `127.0.0.1:${runtime.privatePort}`, logger: silentLogger });
  const bareLatency = new Latencies();
  const sdkLatency = new Latencies();
  try {
    const bareCommit = () =>
      bare.call<CommitEventsResponse>(
        'commit',
        new CommitEventsRequest()
          .setCallcontext(callContext(tenant))
          .setEventsList([uncommittedEvent(guid(), DishPrepared.id, content)]),
      );
    const sdkCommit = () => sdk.eventStore.commit(DishPrepared, content, guid());
    for (let round = 0; round < rounds; round++) {
      const [b, s] = await takeTurns(bareCommit, sdkCommit);
      bareLatency.merge(b);
      sdkLatency.merge(s);
    }
  } finally {
    await sdk.close();
    bare.close();
    await runtime.dispose();
  }

  const bareRates: number[] = [];
  const sdkRates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const which of round % 2 === 0 ? ['bare', 'sdk'] : ['sdk', 'bare']) {
      const fresh = await startRuntimeProcess({ store: 'memory', logLevel: 'warn', metrics: false });
      const address = `127.0.0.1:${fresh.privatePort}`;
      const committer = await DolittleClient.connect({ runtime: address, logger: silentLogger });
      try {
        if (which === 'sdk') sdkRates.push(await timeDispatch(sdkCommits(committer), sdkHandler(address)));
        else {
          bareRates.push(
            await timeDispatch(sdkCommits(committer), async (id, onEvent) => {
              const head = connectEventHandlerHead({
                port: fresh.privatePort,
                eventHandlerId: id,
                types: [DishPrepared.id],
                partitioned: false,
                handle: () => {
                  onEvent();
                  return undefined;
                },
              });
              const failure = await head.registered;
              if (failure !== undefined) throw new Error(failure);
              return async () => head.close();
            }),
          );
        }
      } finally {
        await committer.close();
        await fresh.dispose();
      }
    }
  }
  return [...latencyRows('remote', bareLatency, sdkLatency), dispatchRow('remote', bareRates, sdkRates)];
}

async function embedded(): Promise<Row[]> {
  const executionContext = (runtime: EmbeddedRuntime) =>
    ({
      microserviceId: runtime.microserviceId,
      tenantId: tenant,
      version: { major: 0, minor: 0, patch: 0, build: 0, preRelease: '' },
      correlationId: guid(),
      claims: [],
      environment: runtime.environment,
    }) as never;
  const runtime = await startEmbeddedRuntime();
  const sdk = await DolittleClient.connect({ runtime: { embedded: { runtime } }, logger: silentLogger });
  const bareLatency = new Latencies();
  const sdkLatency = new Latencies();
  try {
    const bareCommit = () =>
      runtime.commit(tenant as never, {
        kind: 'events',
        executionContext: executionContext(runtime),
        events: [
          {
            eventSourceId: guid() as never,
            type: DishPrepared.artifact,
            public: false,
            content: JSON.stringify(content),
          },
        ],
      });
    const sdkCommit = () => sdk.eventStore.commit(DishPrepared, content, guid());
    for (let round = 0; round < rounds; round++) {
      const [b, s] = await takeTurns(bareCommit, sdkCommit);
      bareLatency.merge(b);
      sdkLatency.merge(s);
    }
  } finally {
    await sdk.close();
    await runtime.stop();
  }

  const bareRates: number[] = [];
  const sdkRates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const which of round % 2 === 0 ? ['bare', 'sdk'] : ['sdk', 'bare']) {
      const fresh = await startEmbeddedRuntime();
      const committer = await DolittleClient.connect({
        runtime: { embedded: { runtime: fresh } },
        logger: silentLogger,
      });
      try {
        if (which === 'sdk')
          sdkRates.push(await timeDispatch(sdkCommits(committer), sdkHandler({ embedded: { runtime: fresh } })));
        else {
          bareRates.push(
            await timeDispatch(sdkCommits(committer), async (id, onEvent) => {
              const registration = await fresh.registerEventHandler(
                { id: id as never, scope: scope as never, types: [DishPrepared.id], partitioned: false },
                {
                  process: async () => {
                    onEvent();
                    return { kind: 'succeeded' };
                  },
                },
              );
              const stop = new AbortController();
              const running = registration.run(stop.signal);
              return async () => {
                stop.abort();
                await running;
              };
            }),
          );
        }
      } finally {
        await committer.close();
        await fresh.stop();
      }
    }
  }
  return [...latencyRows('embedded', bareLatency, sdkLatency), dispatchRow('embedded', bareRates, sdkRates)];
}

const rows = [...(await remote()), ...(await embedded())];
console.log(
  `SDK overhead: ${commits} one-event commits × ${rounds} rounds (taking turns); dispatch of ${dispatchEvents} events to a fresh unpartitioned handler on a fresh Runtime (best of ${rounds})\n`,
);
console.log(
  formatTable(
    ['mode', 'measure', 'bare', 'sdk', 'unit', 'sdk ÷ bare', 'sdk adds (µs)'],
    rows.map((row) => {
      const micro = row.unit === 'ms' && row.bare < 0.1;
      const shown = (value: number) => formatFigure(micro ? value * 1000 : value);
      return [
        row.mode,
        row.measure,
        shown(row.bare),
        shown(row.sdk),
        micro ? 'µs' : row.unit,
        `${row.ratio.toFixed(2)}×`,
        formatFigure(row.extraMicros),
      ];
    }),
  ),
);
const remoteCommit = rows.find((row) => row.mode === 'remote' && row.measure === 'commit round trip p50');
const embeddedCommit = rows.find((row) => row.mode === 'embedded' && row.measure === 'commit round trip p50');
if (remoteCommit !== undefined && embeddedCommit !== undefined) {
  console.log(
    `\nembedded vs remote, SDK commit p50: ${formatFigure(embeddedCommit.sdk * 1000)} µs vs ${formatFigure(remoteCommit.sdk * 1000)} µs (${(remoteCommit.sdk / embeddedCommit.sdk).toFixed(0)}× faster in-process)`,
  );
}
const results = join(dirname(dirname(fileURLToPath(import.meta.url))), 'results');
mkdirSync(results, { recursive: true });
writeFileSync(
  join(results, 'sdk-overhead.json'),
  `${JSON.stringify(
    {
      benchmark: 'sdk-overhead',
      date: new Date().toISOString(),
      machine: describeMachine(),
      commits,
      rounds,
      dispatchEvents,
      target: 'sdk ÷ bare ≤ 1.2',
      rows,
    },
    null,
    2,
  )}\n`,
);
