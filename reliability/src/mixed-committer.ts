/*
 * A client that keeps committing until told to stop, as an application would: plain commits of 1–4 events to
 * random event sources, and (by default) every third commit to its own aggregate root instance at the version it believes the
 * instance has. After any commit it was not told succeeded it re-reads that version through the Runtime, since an
 * unacknowledged commit may have landed. Every commit and its answer go into the ledger.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStoreClient } from '@dolittle-ts/runtime/testing';
import { type CommitAnswer, commitAggregateEvents, commitEvents, fetchAggregate } from './commit-answers.js';
import type { CommitLedger } from './commit-ledger.js';

export const mixedCommitterEventType = '3c9d27a4-61f2-4b8e-9a0d-5e7f1b2c4d6e';
export const mixedCommitterAggregateRoot = '3c9d27a4-61f2-4b8e-9a0d-5e7f1b2c4d6f';

export interface AggregateInstance {
  readonly aggregateRoot: string;
  readonly eventSource: string;
}

export interface MixedCommitterOptions {
  readonly client: EventStoreClient;
  readonly ledger: CommitLedger;
  readonly stop: { readonly stopped: boolean };
  /** Called with every answer, as it arrives. */
  readonly onAnswer?: (answer: CommitAnswer) => void;
  /** Every how many commits one goes to the aggregate root instance (3 by default; 0: never). */
  readonly aggregateEvery?: number;
  /** How long to wait after an unacknowledged commit before the next one (the Runtime is recovering). */
  readonly backoffMs?: number;
}

/** Runs until `stop.stopped`; resolves with the aggregate root instance it committed to. */
export async function runMixedCommitter(options: MixedCommitterOptions): Promise<AggregateInstance> {
  const { client, ledger, stop } = options;
  const instance: AggregateInstance = {
    aggregateRoot: mixedCommitterAggregateRoot,
    eventSource: crypto.randomUUID(),
  };
  let version: number | undefined = 0;
  for (let n = 0; !stop.stopped; n++) {
    if (version === undefined) {
      version = await versionOf(client, instance);
      if (version === undefined) {
        await sleep(options.backoffMs ?? 20);
        continue;
      }
    }
    const size = 1 + Math.floor(Math.random() * 4);
    const every = options.aggregateEvery ?? 3;
    const onAggregate = every > 0 && n % every === every - 1;
    const record = ledger.begin(size, () => ({ text: 'ünïcødé "quoted" \\ 😀', at: Date.now() }));
    const answer = onAggregate
      ? await commitAggregateEvents(client, {
          ...instance,
          expectedVersion: version,
          type: mixedCommitterEventType,
          contents: record.contents,
        })
      : await commitEvents(
          client,
          record.contents.map((content) => ({
            eventSource: crypto.randomUUID(),
            type: mixedCommitterEventType,
            content,
          })),
        );
    record.answer = answer;
    options.onAnswer?.(answer);
    if (answer.kind === 'acknowledged') {
      if (onAggregate) version += size;
      continue;
    }
    if (onAggregate) version = undefined;
    await sleep(options.backoffMs ?? 20);
  }
  return instance;
}

async function versionOf(client: EventStoreClient, instance: AggregateInstance): Promise<number | undefined> {
  try {
    return (await fetchAggregate(client, instance.aggregateRoot, instance.eventSource)).events.length;
  } catch {
    return undefined;
  }
}
