import { unspecifiedPartition } from '@dolittle-ts/fundamentals';
import type { CommittedRecord, Observation } from './harness.js';
import type { Delivery } from './simulated-head.js';

/*
 * The model the engine is held to. A handler sees, per partition (the whole stream when unpartitioned), the events
 * of its types in commit order. Each event fails as planned and then succeeds; a restart may deliver again what was
 * already handled (at-least-once), but only as a replay of the same order. Every function returns what was violated,
 * as readable lines; an empty list means the observation fits the model.
 */

export interface ModelOptions {
  readonly partitioned: boolean;
  /** When set, at most this many partitions may be in the head at once (catch-ups of failed partitions included). */
  readonly partitionsInFlight?: number;
}

/** Date and timer resolution: a retry may come this much before its retry time without counting as early. */
const clockToleranceMs = 2;

export function checkObservation(observation: Observation, options: ModelOptions): string[] {
  return [
    ...observation.errors.map((e) => `the processor stopped with an error: ${e}`),
    ...checkDeliveredEvents(observation, options),
    ...checkLiveness(observation, options),
    ...checkFirstSuccessOrder(observation, options),
    ...checkReplaysInOrder(observation, options),
    ...checkFailureHandling(observation, options),
    ...checkRetryTimes(observation),
    ...observation.overlaps.map((o) => `two calls of one partition overlapped: ${o}`),
    ...checkConcurrency(observation, options),
  ];
}

const partitionKey = (record: CommittedRecord, options: ModelOptions): string =>
  options.partitioned ? record.eventSourceId : 'all';

/** The handled events of each partition in the order the head must first handle them. */
export function modelOrder(observation: Observation, options: ModelOptions): Map<string, number[]> {
  const order = new Map<string, number[]>();
  const handled = observation.committed.filter((c) => c.handled).sort((a, b) => a.sequenceNumber - b.sequenceNumber);
  for (const record of handled) {
    const key = partitionKey(record, options);
    order.set(key, [...(order.get(key) ?? []), record.n]);
  }
  return order;
}

/** Each handled event's index in its partition's model order. */
function modelIndex(observation: Observation, options: ModelOptions): Map<number, number> {
  const indexOf = new Map<number, number>();
  for (const order of modelOrder(observation, options).values()) {
    for (const [i, n] of order.entries()) indexOf.set(n, i);
  }
  return indexOf;
}

function recordsByN(observation: Observation): Map<number, CommittedRecord> {
  return new Map(observation.committed.map((c) => [c.n, c]));
}

/** Only events of the handled types, each in its own event source's partition (or the unspecified one). */
function checkDeliveredEvents(observation: Observation, options: ModelOptions): string[] {
  const records = recordsByN(observation);
  const found: string[] = [];
  for (const d of observation.deliveries) {
    const record = records.get(d.n);
    if (record === undefined) {
      found.push(`n=${d.n} was delivered but never committed`);
      continue;
    }
    if (!record.handled) found.push(`n=${d.n} of unhandled type ${record.type} was delivered`);
    if (d.typeId !== record.typeId) found.push(`n=${d.n} arrived with type ${d.typeId}, committed ${record.typeId}`);
    if (d.sequenceNumber !== record.sequenceNumber) {
      found.push(`n=${d.n} arrived as sequence number ${d.sequenceNumber}, committed as ${record.sequenceNumber}`);
    }
    const partition = options.partitioned ? record.eventSourceId : unspecifiedPartition;
    if (d.partition !== partition) found.push(`n=${d.n} arrived in partition ${d.partition}, expected ${partition}`);
  }
  return found;
}

function checkLiveness(observation: Observation, options: ModelOptions): string[] {
  if (observation.live) return [];
  const succeeded = new Set(observation.deliveries.filter((d) => d.outcome === 'succeeded').map((d) => d.n));
  const missing = observation.committed.filter((c) => c.handled && !succeeded.has(c.n));
  const lines = missing
    .slice(0, 10)
    .map(
      (c) =>
        `n=${c.n} (seq ${c.sequenceNumber}, source ${c.source}) never handled successfully; ` +
        `${observation.deliveries.filter((d) => d.n === c.n).length} deliveries`,
    );
  return [
    `liveness: ${missing.length} handled event(s) not handled in time (${options.partitioned ? 'partitioned' : 'unpartitioned'})`,
    ...lines,
  ];
}

/** The first successful handling of each event, per partition, is exactly the model order (nothing skipped). */
function checkFirstSuccessOrder(observation: Observation, options: ModelOptions): string[] {
  const records = recordsByN(observation);
  const expected = modelOrder(observation, options);
  const actual = new Map<string, number[]>();
  const seen = new Set<number>();
  for (const d of observation.deliveries) {
    if (d.outcome !== 'succeeded' || seen.has(d.n)) continue;
    seen.add(d.n);
    const record = records.get(d.n);
    if (record === undefined) continue;
    const key = partitionKey(record, options);
    actual.set(key, [...(actual.get(key) ?? []), d.n]);
  }
  const found: string[] = [];
  for (const [key, order] of expected) {
    const got = actual.get(key) ?? [];
    const mismatch = got.findIndex((n, i) => order[i] !== n);
    if (mismatch >= 0) {
      found.push(
        `order: partition ${key} first handled [${got.join(',')}], expected [${order.join(',')}] ` +
          `(first difference at index ${mismatch})`,
      );
    }
  }
  return found;
}

/**
 * Inside one start of the processor the successful handlings of a partition follow the model order one by one: a
 * restart may begin again at an earlier event, but never repeats or skips one within a start.
 */
function checkReplaysInOrder(observation: Observation, options: ModelOptions): string[] {
  const records = recordsByN(observation);
  const indexOf = modelIndex(observation, options);
  const last = new Map<string, number>();
  const found: string[] = [];
  for (const d of observation.deliveries) {
    if (d.outcome !== 'succeeded') continue;
    const record = records.get(d.n);
    const index = indexOf.get(d.n);
    if (record === undefined || index === undefined) continue;
    const key = `${d.incarnation}/${partitionKey(record, options)}`;
    const previous = last.get(key);
    if (previous !== undefined && index !== previous + 1) {
      found.push(
        `replay: in start ${d.incarnation}, partition ${partitionKey(record, options)} handled model index ${index} ` +
          `(n=${d.n}) right after index ${previous}`,
      );
    }
    last.set(key, index);
  }
  return found;
}

/**
 * How failures are handled, event by event in call order:
 * - until an event first succeeds, its delivery after k accepted failures carries retryCount k − 1 (none at first);
 * - a failing event holds back what comes after it: the whole stream when unpartitioned, its partition when
 *   partitioned. Between its first failure and its first success no other event of that partition is delivered.
 */
function checkFailureHandling(observation: Observation, options: ModelOptions): string[] {
  const records = recordsByN(observation);
  const failures = new Map<number, number>();
  const succeeded = new Set<number>();
  /** The failing event of each partition. */
  const holding = new Map<string, number>();
  const found: string[] = [];
  for (const d of observation.deliveries) {
    const record = records.get(d.n);
    if (record === undefined) continue;
    const key = partitionKey(record, options);
    const held = holding.get(key);
    if (held !== undefined && held !== d.n) {
      found.push(
        `halting: n=${d.n} (seq ${d.sequenceNumber}) was delivered in start ${d.incarnation} while n=${held} ` +
          `of partition ${key} was failing`,
      );
    }
    if (!succeeded.has(d.n)) {
      const failed = failures.get(d.n) ?? 0;
      const expected = failed === 0 ? 'no retry state' : `retryCount ${failed - 1}`;
      const got = d.retry === undefined ? 'no retry state' : `retryCount ${d.retry.retryCount}`;
      if (expected !== got) {
        found.push(
          `retry state: n=${d.n} (seq ${d.sequenceNumber}) delivered in start ${d.incarnation} after ${failed} ` +
            `failure(s) with ${got}, expected ${expected}`,
        );
      }
      if (d.outcome === 'failed') {
        failures.set(d.n, failed + 1);
        holding.set(key, d.n);
      }
    }
    if (d.outcome === 'succeeded') {
      succeeded.add(d.n);
      if (held === d.n) holding.delete(key);
    }
  }
  return found;
}

/** A failed event is not tried again before its retry time (the head's retryAfterMs after it failed). */
function checkRetryTimes(observation: Observation): string[] {
  const lastFailure = new Map<number, Delivery>();
  const found: string[] = [];
  for (const d of observation.deliveries) {
    const failed = lastFailure.get(d.n);
    if (failed !== undefined && d.outcome !== 'abandoned') {
      const due = failed.answeredAt + (failed.retryAfterMs ?? 0);
      if (d.calledAt < due - clockToleranceMs) {
        found.push(`retry time: n=${d.n} was retried ${due - d.calledAt} ms before its retry time`);
      }
    }
    if (d.outcome === 'failed') lastFailure.set(d.n, d);
    else if (d.outcome === 'succeeded') lastFailure.delete(d.n);
  }
  return found;
}

function checkConcurrency(observation: Observation, options: ModelOptions): string[] {
  const limit = options.partitionsInFlight;
  if (limit === undefined || observation.maxPartitionsInFlight <= limit) return [];
  return [`concurrency: ${observation.maxPartitionsInFlight} partitions were in the head at once, limit ${limit}`];
}
