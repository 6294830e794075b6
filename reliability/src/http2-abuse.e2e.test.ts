/*
 * HTTP/2 abuse against a Runtime process: more concurrent streams than it allows, oversized and decompression-bomb
 * messages, a burst of thousands of stream resets (rapid reset), floods of pings and settings. After each: the
 * limits held, the Runtime is alive, its memory (VmRSS) stayed bounded, and a new normal client is served.
 *
 * RELIABILITY_ROUNDS scales the floods (default 10: 10,000 resets, 20,000 pings, 2,000 settings frames).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGzip } from 'node:zlib';
import { type RuntimeProcess, startRuntimeProcess } from '@dolittle-ts/compat/harness';
import { developmentTenant, type Guid } from '@dolittle-ts/fundamentals';
import { FetchForAggregateResponse } from '@dolittle-ts/runtime/testing';
import { GrpcConnection, frame as grpcFrame, statusNames } from './grpc-wire.js';
import { isAlive, mib, rssBytes } from './process-health.js';
import { encode } from './protobuf-tree.js';
import {
  dataFrame,
  errorCodes,
  grpcHeadersFrame,
  pingFrame,
  RawHttp2Connection,
  rstStreamFrame,
  settingIds,
  settingsFrame,
} from './raw-http2.js';
import { reliabilityRounds } from './rounds.js';
import { type RuntimeMethod, runtimeMethods } from './runtime-methods.js';

const scale = reliabilityRounds(10);
const maxMessageBytes = 4 * 1024 * 1024;
const fetchMethod = runtimeMethods.find((m) => m.name === 'EventStore.FetchForAggregate') as RuntimeMethod & {
  kind: 'unary';
};
const ids = {
  tenant: developmentTenant as string as Guid,
  eventType: crypto.randomUUID() as Guid,
  aggregateRoot: crypto.randomUUID() as Guid,
  eventSource: crypto.randomUUID() as Guid,
  processor: crypto.randomUUID() as Guid,
};

/**
 * Memory the Runtime may gain over its warmed-up baseline during one abuse. Every abuse below pushes far more than
 * this at the Runtime (≥ 200 MiB of message bytes, 256 MiB once decompressed, or tens of thousands of frames), so a
 * Runtime that buffered even half of what it was sent would cross it; 128 MiB leaves room for V8 heap growth and
 * garbage not yet collected.
 */
const rssAllowance = 128 * 1024 * 1024;

describe('HTTP/2 abuse against the Runtime (sqlite)', () => {
  let runtime: RuntimeProcess;
  let baseline: number;

  before(async () => {
    runtime = await startRuntimeProcess({ store: 'sqlite', logLevel: 'warn', metrics: false });
    for (let i = 0; i < 50; i++) await assertServed(runtime);
    baseline = rssBytes(runtime.pid);
  });
  after(async () => {
    await runtime?.dispose();
  });

  it('serves no stream beyond SETTINGS_MAX_CONCURRENT_STREAMS', { timeout: 120_000 }, async (t) => {
    const connection = new RawHttp2Connection(runtime.privatePort);
    try {
      await connection.ready;
      const limit = connection.seen.maxConcurrentStreams;
      assert.ok(limit !== undefined && limit > 0, 'the Runtime announces SETTINGS_MAX_CONCURRENT_STREAMS');
      const authority = `127.0.0.1:${runtime.privatePort}`;
      // `limit` streams held open (headers only, the request message never sent)...
      const held = Array.from({ length: limit }, () => connection.nextStreamId());
      for (let i = 0; i < held.length; i += 100) {
        await connection.writeDrained(
          Buffer.concat(held.slice(i, i + 100).map((id) => grpcHeadersFrame(id, authority, fetchMethod.path))),
        );
      }
      assert.ok(await connection.roundTrip(), 'the server handled the held streams');
      // ...then complete requests past the limit: none of them may be served.
      const extra = 200;
      const request = grpcFrame(encode(fetchMethod.valid(ids)));
      const over = Array.from({ length: extra }, () => connection.nextStreamId());
      await connection.writeDrained(
        Buffer.concat(
          over.flatMap((id) => [grpcHeadersFrame(id, authority, fetchMethod.path), dataFrame(id, request, true)]),
        ),
      );
      const refusedEach = () =>
        over.every((id) => [...connection.seen.resets.values()].some((ids) => ids.includes(id)));
      await connection.waitFor(() => refusedEach() || connection.seen.goaway !== undefined, 20_000);
      const servedOver = over.filter((id) => connection.seen.answered.has(id));
      const goaway = connection.seen.goaway;
      // While (or after) the abusive connection holds every stream it may, another client is served.
      await assertServed(runtime);
      const rss = rssBytes(runtime.pid);
      t.diagnostic(
        `limit announced ${limit}; ${held.length} streams held open, then ${extra} complete requests past the limit; served past the limit: ${servedOver.length}; resets ${JSON.stringify([...connection.seen.resets].map(([code, streams]) => ({ code, streams: streams.length })))}; ${goaway ? `GOAWAY ${describeGoaway(goaway)}: the server drops a connection that exceeds the limit it announced` : 'no GOAWAY'}; a new client was served; RSS ${mib(baseline)} → ${mib(rss)}`,
      );
      assert.deepEqual(servedOver, [], 'no stream past the limit is served');
      assert.ok(
        refusedEach() || (goaway !== undefined && goaway.lastStreamId < (over[0] ?? 0)),
        'every stream past the limit is refused, or the connection is closed before any of them',
      );
      assertBounded(rss, baseline);
    } finally {
      connection.destroy();
    }
    await assertServed(runtime);
  });

  it('answers oversized messages with RESOURCE_EXHAUSTED and never buffers them', { timeout: 120_000 }, async (t) => {
    const connection = new GrpcConnection(runtime.privatePort);
    try {
      // Just over the limit, on a live connection that must go on serving.
      const over = await connection.unary(fetchMethod.path, Buffer.alloc(maxMessageBytes + 1, 0x0a));
      assert.equal(over.status, 8, `a message of max + 1 bytes: ${statusNames[over.status ?? -1]} ${over.message}`);
      assert.match(over.message, /larger than max/);
      await assertServedOn(connection);

      // 32 streams at once, each announcing 8 MiB and sending it all: 256 MiB pushed at the Runtime.
      const big = Buffer.alloc(8 * 1024 * 1024, 0x0a);
      const answers = await Promise.all(
        Array.from({ length: 32 }, () => connection.unary(fetchMethod.path, big, { timeoutMs: 60_000 })),
      );
      const byStatus = tally(answers.map((a) => statusNames[a.status ?? -1] ?? `none (${a.message})`));
      assert.deepEqual(Object.keys(byStatus), ['RESOURCE_EXHAUSTED'], JSON.stringify(byStatus));
      const afterParallel = rssBytes(runtime.pid);

      // A prefix announcing 2 GiB - 1, then 64 MiB of it: refused on the prefix, the rest discarded.
      const call = connection.open(fetchMethod.path, { timeoutMs: 60_000 });
      call.sendRaw(grpcFrame(Buffer.alloc(0), { declaredLength: 2 ** 31 - 1 }));
      const chunk = Buffer.alloc(1024 * 1024, 0x0a);
      let sent = 0;
      let answered = false;
      void call.answer.then(() => {
        answered = true;
      });
      while (sent < 64 && !answered) {
        call.sendRaw(chunk);
        sent++;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const announced = await call.answer;
      assert.equal(announced.status, 8, `a 2 GiB prefix: ${announced.message}`);

      // A decompression bomb: 256 MiB of zeros gzip-compressed to a few hundred KiB, compressed flag set.
      const bomb = await gzipZeros(256 * 1024 * 1024);
      const bombAnswer = await connection.unaryRaw(fetchMethod.path, grpcFrame(bomb, { compressed: true }), {
        headers: { 'grpc-encoding': 'gzip' },
        timeoutMs: 60_000,
      });
      assert.equal(bombAnswer.status, 8, `a gzip bomb: ${statusNames[bombAnswer.status ?? -1]} ${bombAnswer.message}`);
      assert.match(bombAnswer.message, /larger than/);
      await assertServedOn(connection);
      const rss = rssBytes(runtime.pid);
      t.diagnostic(
        `max+1 bytes → RESOURCE_EXHAUSTED "${over.message}", then served on the same connection; 32 × 8 MiB in parallel → ${JSON.stringify(byStatus)}; a 2 GiB prefix with ${sent} MiB sent → RESOURCE_EXHAUSTED; gzip bomb (${(bomb.length / 1024).toFixed(0)} KiB → 256 MiB) → RESOURCE_EXHAUSTED "${bombAnswer.message}"; the connection still served; RSS ${mib(baseline)} → ${mib(afterParallel)} after the parallel burst → ${mib(rss)} at the end`,
      );
      assertBounded(afterParallel, baseline);
      assertBounded(rss, baseline);
    } finally {
      connection.close();
    }
    await assertServed(runtime);
  });

  it('survives a rapid-reset burst', { timeout: 120_000 }, async (t) => {
    const connection = new RawHttp2Connection(runtime.privatePort);
    const resets = 1000 * scale;
    let written = 0;
    try {
      await connection.ready;
      const authority = `127.0.0.1:${runtime.privatePort}`;
      let batch: Buffer[] = [];
      for (let i = 0; i < resets && connection.isOpen; i++) {
        const streamId = connection.nextStreamId();
        batch.push(
          grpcHeadersFrame(streamId, authority, fetchMethod.path),
          rstStreamFrame(streamId, errorCodes.cancel),
        );
        written++;
        if (batch.length >= 1000) {
          await connection.writeDrained(Buffer.concat(batch));
          batch = [];
        }
      }
      await connection.writeDrained(Buffer.concat(batch));
      // A ping after the burst: answered once the server has worked through it (or the connection is gone).
      await connection.roundTrip(30_000);
      assertAlive(runtime);
      await assertServed(runtime);
      const rss = rssBytes(runtime.pid);
      t.diagnostic(
        `${written} HEADERS+RST_STREAM pairs sent on one connection; the server answered ${connection.seen.answered.size} of them before the reset; ${connection.seen.goaway ? `GOAWAY ${describeGoaway(connection.seen.goaway)}` : `no GOAWAY, connection ${connection.isOpen ? 'still open (ping answered)' : 'closed'}`}; a new client was served; RSS ${mib(baseline)} → ${mib(rss)}`,
      );
      assert.ok(
        connection.seen.pingAcks > 0 || connection.seen.goaway !== undefined,
        'the connection either survives (answers a ping) or is closed cleanly with GOAWAY',
      );
      assertBounded(rss, baseline);
    } finally {
      connection.destroy();
    }
  });

  it('survives floods of pings and settings', { timeout: 120_000 }, async (t) => {
    const found: string[] = [];
    for (const flood of ['ping', 'settings'] as const) {
      const connection = new RawHttp2Connection(runtime.privatePort);
      const count = flood === 'ping' ? 2000 * scale : 200 * scale;
      let written = 0;
      try {
        await connection.ready;
        const acksBefore = connection.seen.settingsAcks;
        let batch: Buffer[] = [];
        for (let i = 0; i < count && connection.isOpen; i++) {
          const payload = Buffer.alloc(8);
          payload.writeUInt32BE(i);
          batch.push(
            flood === 'ping'
              ? pingFrame(payload)
              : settingsFrame([
                  [settingIds.initialWindowSize, 65_535 + (i % 1000)],
                  [settingIds.maxConcurrentStreams, 100 + (i % 100)],
                ]),
          );
          written++;
          if (batch.length >= 500) {
            await connection.writeDrained(Buffer.concat(batch));
            batch = [];
          }
        }
        await connection.writeDrained(Buffer.concat(batch));
        const acked = () => (flood === 'ping' ? connection.seen.pingAcks : connection.seen.settingsAcks - acksBefore);
        await connection.waitFor(() => acked() >= written || !connection.isOpen, 30_000);
        assertAlive(runtime);
        await assertServed(runtime);
        const rss = rssBytes(runtime.pid);
        found.push(
          `${written} ${flood.toUpperCase()} frames → ${acked()} acknowledged, connection ${connection.isOpen ? 'open' : `closed by the server${connection.seen.goaway ? ` with GOAWAY ${describeGoaway(connection.seen.goaway)}` : ''}`}, RSS ${mib(rss)}`,
        );
        assert.ok(
          acked() >= written || !connection.isOpen,
          `${flood}: every frame acknowledged, or the server closed the connection`,
        );
        assertBounded(rss, baseline);
      } finally {
        connection.destroy();
      }
    }
    t.diagnostic(`${found.join('; ')}; a new client was served after each; baseline RSS ${mib(baseline)}`);
  });
});

function assertBounded(rss: number, baseline: number): void {
  assert.ok(
    rss <= baseline + rssAllowance,
    `RSS ${mib(rss)} exceeds the warmed-up baseline ${mib(baseline)} + ${mib(rssAllowance)}`,
  );
}

function assertAlive(runtime: RuntimeProcess): void {
  assert.ok(isAlive(runtime.pid) && runtime.running, 'the Runtime process is alive');
}

/** A new client on a new connection is served a normal request. */
async function assertServed(runtime: RuntimeProcess): Promise<void> {
  const connection = new GrpcConnection(runtime.privatePort);
  try {
    await assertServedOn(connection);
  } finally {
    connection.close();
  }
}

async function assertServedOn(connection: GrpcConnection): Promise<void> {
  const answer = await connection.unary(fetchMethod.path, encode(fetchMethod.valid(ids)), { timeoutMs: 15_000 });
  assert.equal(answer.status, 0, `a normal request was not served: ${answer.message}`);
  const response = FetchForAggregateResponse.deserializeBinary(answer.messages[0] ?? Buffer.alloc(0));
  assert.equal(response.getFailure(), undefined, response.getFailure()?.getReason());
}

function tally(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function describeGoaway(goaway: { lastStreamId: number; errorCode: number; debug: string }): string {
  const names: Record<number, string> = {
    [errorCodes.noError]: 'NO_ERROR',
    [errorCodes.protocolError]: 'PROTOCOL_ERROR',
    [errorCodes.internalError]: 'INTERNAL_ERROR',
    [errorCodes.enhanceYourCalm]: 'ENHANCE_YOUR_CALM',
  };
  return `${names[goaway.errorCode] ?? goaway.errorCode} (last stream ${goaway.lastStreamId}${goaway.debug ? `, "${goaway.debug}"` : ''})`;
}

/** `size` zero bytes, gzip-compressed, without holding them in memory. */
async function gzipZeros(size: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  const zeros = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < size; written += zeros.length) {
    if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await done;
  return Buffer.concat(chunks);
}
