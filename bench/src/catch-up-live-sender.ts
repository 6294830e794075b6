/*
 * The live phase's committer, on a worker thread of its own: one-event Commits at a fixed rate (open loop) over its own
 * connection. On its own thread it has its own V8 heap, so its garbage collection does not pause the head on the main
 * thread (and the head's does not hold up the sends): a pause in either would be counted as the Runtime's latency.
 * Send times are given on the main thread's performance.now() clock (both derive from the same monotonic clock), so
 * the main thread can subtract them from the head's arrival times. The Commits go through node:http2 directly
 * (support/http2-grpc-client.ts): @grpc/grpc-js allocates enough per call that its own collections doubled the
 * measured p99 (commits alone at 500/s, same Runtime: p99 10.7 ms through grpc-js, 5.3 ms through node:http2).
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { varintIn } from './catch-up-wire.js';
import { checkCommitEventsResponse, commitEventsTemplate, eventStorePaths } from './support/event-store-wire.js';
import { summarizeFields } from './support/protobuf-wire.js';
import { connectClients } from './support/unary-client.js';

export interface LiveSenderOptions {
  readonly address: string;
  readonly rate: number;
  readonly count: number;
  readonly sources: number;
}

export interface LiveSenderResult {
  /** When each Commit was sent, on the caller's performance.now() clock. */
  readonly sentAt: Float64Array;
  /** The sequence number each Commit's event got; NaN for a failed one. */
  readonly sequenceOf: Float64Array;
  /** Each Commit's round trip in ms; NaN for a failed one. */
  readonly commitMs: Float64Array;
  readonly seconds: number;
  readonly failures: readonly string[];
}

interface SenderData extends LiveSenderOptions {
  /** performance.now() on the caller's thread, read together with `hrtimeBase`. */
  readonly callerNow: number;
  readonly hrtimeBase: bigint;
}

/** Runs the sender on a worker thread and resolves with what it measured. */
export function runLiveSender(options: LiveSenderOptions): Promise<LiveSenderResult> {
  const data: SenderData = { ...options, hrtimeBase: process.hrtime.bigint(), callerNow: performance.now() };
  const worker = new Worker(new URL(import.meta.url), { workerData: data });
  return new Promise((resolve, reject) => {
    worker.once('message', (result: LiveSenderResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the live sender exited with code ${code} before reporting`)));
  });
}

async function send(data: SenderData): Promise<LiveSenderResult> {
  const callerNow = (): number => data.callerNow + Number(process.hrtime.bigint() - data.hrtimeBase) / 1e6;
  const [client] = await connectClients(data.address, 1, 'http2');
  if (client === undefined) throw new Error('no client');
  const template = commitEventsTemplate(1);
  const sentAt = new Float64Array(data.count).fill(Number.NaN);
  const sequenceOf = new Float64Array(data.count).fill(Number.NaN);
  const commitMs = new Float64Array(data.count).fill(Number.NaN);
  const failures: string[] = [];
  const intervalMs = 1000 / data.rate;
  let outstanding = 0;
  let allSent = false;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const settle = (): void => {
    outstanding -= 1;
    if (allSent && outstanding === 0) finish();
  };
  const start = performance.now();
  for (let n = 0; n < data.count; n++) {
    const wait = start + n * intervalMs - performance.now();
    if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = callerNow();
    sentAt[n] = sent;
    outstanding += 1;
    client.unary(eventStorePaths.commit, template.stamp(n % data.sources)).then(
      (response) => {
        commitMs[n] = callerNow() - sent;
        try {
          checkCommitEventsResponse(response, 1);
          sequenceOf[n] = firstSequenceNumber(response);
        } catch (error) {
          failures.push((error as Error).message);
        }
        settle();
      },
      (error: unknown) => {
        failures.push((error as Error).message);
        settle();
      },
    );
  }
  allSent = true;
  if (outstanding > 0) await finished;
  const seconds = (performance.now() - start) / 1000;
  client.close();
  return { sentAt, sequenceOf, commitMs, seconds, failures };
}

/** `CommitEventsResponse.events[0].eventLogSequenceNumber`, by a wire scan. */
export function firstSequenceNumber(response: Buffer): number {
  const events = summarizeFields(response, [2])[0]?.first;
  if (events === undefined) throw new Error('a CommitEventsResponse without events');
  return varintIn(response, events, 1);
}

if (!isMainThread && parentPort !== null && (workerData as SenderData | undefined)?.hrtimeBase !== undefined) {
  const port = parentPort;
  send(workerData as SenderData).then(
    (result) =>
      port.postMessage(result, [result.sentAt.buffer, result.sequenceOf.buffer, result.commitMs.buffer] as never),
    (error: unknown) => {
      throw error;
    },
  );
}
