import {
  DolittleError,
  type EventLogSequenceNumber,
  ShuttingDown,
  StoreUnavailable,
  type TenantId,
} from '@dolittle-ts/fundamentals';
import type { Commit, CommitOutcome, CommittedEvent, EventStore } from '@dolittle-ts/store';

export interface CommitterOptions {
  readonly tenantId: TenantId;
  readonly store: EventStore;
  /** Most commits written in one transaction. */
  readonly maxBatchCommits?: number;
  /** Most events written in one transaction (a single larger commit still goes alone). */
  readonly maxBatchEvents?: number;
  readonly now?: () => Date;
  /**
   * Called after each durable batch with the highest sequence number it wrote to the default scope and the events it
   * wrote, in sequence order (shared with the commits' outcomes: not to be changed).
   */
  readonly onCommitted?: (last: EventLogSequenceNumber, events: readonly CommittedEvent[]) => void;
  /** Called after each batch, for metrics. */
  readonly onBatch?: (stats: { commits: number; events: number; seconds: number; failed: boolean }) => void;
}

interface Pending {
  readonly commit: Commit;
  readonly resolve: (outcome: CommitOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for one tenant. Commits that arrive while a batch is being written wait and are written together
 * in the next transaction; each still succeeds or fails on its own. Nothing is acknowledged before the store has
 * made its batch durable. There is no added delay: an idle committer writes at the next turn of the event loop,
 * which gathers whatever requests that turn decoded.
 */
export class Committer {
  readonly #store: EventStore;
  readonly #maxBatchCommits: number;
  readonly #maxBatchEvents: number;
  readonly #now: () => Date;
  readonly #onCommitted: CommitterOptions['onCommitted'];
  readonly #onBatch: CommitterOptions['onBatch'];
  #queue: Pending[] = [];
  #writing: Promise<void> | undefined;
  #closed = false;

  constructor(options: CommitterOptions) {
    this.#store = options.store;
    this.#maxBatchCommits = options.maxBatchCommits ?? 1000;
    this.#maxBatchEvents = options.maxBatchEvents ?? 20_000;
    this.#now = options.now ?? (() => new Date());
    this.#onCommitted = options.onCommitted;
    this.#onBatch = options.onBatch;
  }

  commit(commit: Commit): Promise<CommitOutcome> {
    if (this.#closed) return Promise.reject(new ShuttingDown());
    if (commit.events.length === 0) {
      return Promise.resolve({ ok: false, failure: { kind: 'NoEventsToCommit' } });
    }
    return new Promise<CommitOutcome>((resolve, reject) => {
      this.#queue.push({ commit, resolve, reject });
      if (this.#writing === undefined) this.#writing = this.#writeAll();
    });
  }

  /** Refuses new commits and resolves once every accepted commit has been written (or failed). */
  async drain(): Promise<void> {
    this.#closed = true;
    while (this.#writing !== undefined) await this.#writing;
  }

  async #writeAll(): Promise<void> {
    // Yield once so that every request already decoded in this turn of the event loop joins the batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.#queue.length > 0) await this.#writeBatch(this.#takeBatch());
    } finally {
      this.#writing = undefined;
    }
  }

  #takeBatch(): Pending[] {
    let events = 0;
    let count = 0;
    for (const pending of this.#queue) {
      if (count >= this.#maxBatchCommits) break;
      if (count > 0 && events + pending.commit.events.length > this.#maxBatchEvents) break;
      events += pending.commit.events.length;
      count++;
    }
    return this.#queue.splice(0, count);
  }

  async #writeBatch(batch: Pending[]): Promise<void> {
    const started = performance.now();
    let outcomes: readonly CommitOutcome[];
    try {
      outcomes = await this.#store.commit(
        batch.map((p) => p.commit),
        { occurred: this.#now() },
      );
    } catch (error) {
      const failure =
        error instanceof DolittleError
          ? error
          : new StoreUnavailable(`the event store failed to write a batch: ${(error as Error).message}`, {
              cause: error,
            });
      for (const pending of batch) pending.reject(failure);
      this.#onBatch?.({
        commits: batch.length,
        events: 0,
        seconds: (performance.now() - started) / 1000,
        failed: true,
      });
      return;
    }
    let last = -1;
    const events: CommittedEvent[] = [];
    for (let i = 0; i < batch.length; i++) {
      const outcome = outcomes[i];
      const pending = batch[i] as Pending;
      if (outcome === undefined) {
        pending.reject(new StoreUnavailable('the event store returned no outcome for a commit'));
        continue;
      }
      if (outcome.ok) {
        const tail = outcome.events[outcome.events.length - 1];
        if (tail !== undefined && tail.sequenceNumber > last) last = tail.sequenceNumber;
        for (const event of outcome.events) events.push(event);
      }
      pending.resolve(outcome);
    }
    this.#onBatch?.({
      commits: batch.length,
      events: events.length,
      seconds: (performance.now() - started) / 1000,
      failed: false,
    });
    if (last >= 0) this.#onCommitted?.(last as EventLogSequenceNumber, events);
  }
}
