import {
  defaultScope,
  type EventLogSequenceNumber,
  type ScopeId,
  type StreamPosition,
  unspecifiedPartition,
} from '@dolittle-ts/fundamentals';
import type { CommittedEvent, StreamEvent, StreamRef } from '@dolittle-ts/store';

/** What a processor reads: a scope's event log, or a filtered stream. */
export type SourceRef =
  | { readonly kind: 'event-log'; readonly scope: ScopeId }
  | ({ readonly kind: 'stream' } & StreamRef);

export function sourceKey(source: SourceRef): string {
  return source.kind === 'event-log'
    ? `log/${source.scope}`
    : `${source.public ? 'public' : 'stream'}/${source.scope}/${source.stream}`;
}

/** Someone waiting on a source: told of every write; answers whether it is done waiting (and leaves the watcher). */
interface Waiter {
  written(position: number): boolean;
}

/** Events of a scope's log as a processor reads them: at their sequence numbers, all in the unspecified partition. */
export function logEntries(events: readonly CommittedEvent[]): StreamEvent[] {
  return events.map((event) => ({
    position: event.sequenceNumber as number as StreamPosition,
    partition: unspecifiedPartition,
    event,
  }));
}

/** Tells `watcher` what a committer wrote to the default scope's log (its `onCommitted`). */
export function notifyCommitted(
  watcher: EventWatcher,
  last: EventLogSequenceNumber,
  events: readonly CommittedEvent[],
): void {
  watcher.notify({ kind: 'event-log', scope: defaultScope }, last, logEntries(events));
}

/** How many of the newest events of each source the watcher keeps for `recent`. */
const defaultTailCapacity = 1024;

/**
 * In-process notification of "position N was written to this source", per tenant. Processors wait on it when they
 * have caught up, so a new event reaches them at once; the wait also has a timeout so a missed notification only
 * delays (the slow polling fallback), never stalls.
 *
 * A writer that has the events it wrote at hand (the committer, filters) passes them along, and the watcher keeps the
 * newest of each source: a caught-up processor then gets a new event from memory instead of reading back what was
 * just written (`recent`). Writes are notified once durable, but for a deterministic filter's batch, notified while
 * it is written (see `runFilterProcessor`): what a processor takes from here is what the store holds or will hold.
 * Sources only grow (positions are never reused), so a kept event is always what the store returns for it.
 */
export class EventWatcher {
  readonly #written = new Map<string, number>();
  readonly #waiters = new Map<string, Set<Waiter>>();
  readonly #tails = new Map<string, Tail>();
  readonly #tailCapacity: number;

  constructor(options: { readonly tailCapacity?: number } = {}) {
    this.#tailCapacity = options.tailCapacity ?? defaultTailCapacity;
  }

  /**
   * Records that everything up to and including `position` exists in `source`. `events`, when given, are the events
   * just written, in position order, the last of them at `position`.
   */
  notify(source: SourceRef, position: number, events?: readonly StreamEvent[]): void {
    const key = sourceKey(source);
    if ((this.#written.get(key) ?? -1) < position) this.#written.set(key, position);
    if (events !== undefined && events.length > 0 && this.#tailCapacity > 0) {
      let tail = this.#tails.get(key);
      if (tail === undefined) {
        tail = new Tail(this.#tailCapacity);
        this.#tails.set(key, tail);
      }
      tail.add(events);
    }
    const waiters = this.#waiters.get(key);
    if (waiters === undefined) return;
    for (const waiter of waiters) if (waiter.written(position)) waiters.delete(waiter);
  }

  /**
   * Up to `limit` events of `source` from `position` on, from the newest events notified, when they hold that
   * position; undefined when they do not (read the store then). May end before the source does.
   */
  recent(source: SourceRef, position: number, limit: number): readonly StreamEvent[] | undefined {
    return this.#tails.get(sourceKey(source))?.from(position, limit);
  }

  /** True when a notification of `count` events would be kept whole for `recent`. */
  keepsWhole(count: number): boolean {
    return count <= this.#tailCapacity;
  }

  /** True when a write at or after `position` of `source` has been notified. */
  notifiedFrom(source: SourceRef, position: number): boolean {
    return (this.#written.get(sourceKey(source)) ?? -1) >= position;
  }

  /**
   * Resolves when `position` has been written, after `timeoutMs`, or when `signal` aborts (never rejects).
   * Resolves at once if the watcher already saw the position.
   */
  wait(source: SourceRef, position: number, options: { timeoutMs: number; signal: AbortSignal }): Promise<void> {
    const key = sourceKey(source);
    if ((this.#written.get(key) ?? -1) >= position || options.signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', done);
        this.#leave(key, waiter);
        resolve();
      };
      const waiter: Waiter = {
        written: (written) => {
          if (written < position) return false;
          done();
          return true;
        },
      };
      const timer = setTimeout(done, options.timeoutMs);
      options.signal.addEventListener('abort', done, { once: true });
      this.#join(key, waiter);
    });
  }

  /**
   * A waiter for a reader that waits on `source` again and again (a processor, once per live event): see
   * `SourceWaiter`. Close it when the reader stops.
   */
  waiter(source: SourceRef, signal: AbortSignal): SourceWaiter {
    const key = sourceKey(source);
    return new SourceWaiter(
      (waiter) => this.#join(key, waiter),
      (waiter) => this.#leave(key, waiter),
      (position) => (this.#written.get(key) ?? -1) >= position,
      signal,
    );
  }

  #join(key: string, waiter: Waiter): void {
    let waiters = this.#waiters.get(key);
    if (waiters === undefined) {
      waiters = new Set();
      this.#waiters.set(key, waiters);
    }
    waiters.add(waiter);
  }

  #leave(key: string, waiter: Waiter): void {
    const waiters = this.#waiters.get(key);
    if (waiters === undefined) return;
    waiters.delete(waiter);
    if (waiters.size === 0) this.#waiters.delete(key);
  }
}

/**
 * The waits of one reader on one source, one after the other. Where `EventWatcher.wait` sets up a timer, an abort
 * listener and a registration for each wait, a waiter keeps one of each for all its waits: it stays registered with
 * the watcher, listens to its signal once, and re-arms its fallback timer only when a wait needs it sooner (so a
 * live event costs a promise, not a timer and two listeners). A wait may end early (a timer armed for an earlier
 * wait, `wake`): every reader looks again after a wait anyway.
 */
export class SourceWaiter implements Waiter {
  readonly #leave: (waiter: Waiter) => void;
  readonly #notifiedFrom: (position: number) => boolean;
  readonly #signal: AbortSignal;
  /** The position the current wait waits for; infinite while nobody waits. */
  #position = Number.POSITIVE_INFINITY;
  #resolve: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  readonly #onAbort = () => this.wake();

  constructor(
    join: (waiter: Waiter) => void,
    leave: (waiter: Waiter) => void,
    notifiedFrom: (position: number) => boolean,
    signal: AbortSignal,
  ) {
    this.#leave = leave;
    this.#notifiedFrom = notifiedFrom;
    this.#signal = signal;
    join(this);
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /**
   * Resolves when `position` has been written, within `timeoutMs` at the latest, on `wake`, or when the signal aborts
   * (never rejects). Resolves at once if the position was already written; `Number.POSITIVE_INFINITY` waits for no
   * write (only `wake`, the timeout or the signal end it). One wait at a time.
   */
  wait(position: number, timeoutMs: number): Promise<void> {
    if (this.#signal.aborted || this.#notifiedFrom(position)) return Promise.resolve();
    const at = Date.now() + Math.max(0, timeoutMs);
    if (at < this.#timerAt) {
      clearTimeout(this.#timer);
      this.#timerAt = at;
      this.#timer = setTimeout(this.#onTimer, Math.min(Math.max(0, timeoutMs), 2_147_483_647));
    }
    this.#position = position;
    return new Promise<void>((resolve) => {
      this.#resolve = resolve;
    });
  }

  /** Ends the current wait, if any. */
  wake(): void {
    const resolve = this.#resolve;
    this.#resolve = undefined;
    this.#position = Number.POSITIVE_INFINITY;
    resolve?.();
  }

  /** Leaves the watcher and ends the current wait. */
  close(): void {
    this.#leave(this);
    this.#signal.removeEventListener('abort', this.#onAbort);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.wake();
  }

  /** @internal The watcher saw a write up to `position`. */
  written(position: number): boolean {
    if (position >= this.#position) this.wake();
    return false;
  }

  readonly #onTimer = () => {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    this.wake();
  };
}

/** The newest events of one source, at dense positions. */
class Tail {
  readonly #capacity: number;
  #events: StreamEvent[] = [];

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  add(events: readonly StreamEvent[]): void {
    const last = this.#events[this.#events.length - 1];
    let next = last === undefined ? undefined : last.position + 1;
    for (const event of events) {
      // Not following on from what is kept (a write that was not passed along came between): start again from here.
      if (next !== undefined && event.position !== next) this.#events = [];
      this.#events.push(event);
      next = event.position + 1;
    }
    if (this.#events.length > 2 * this.#capacity) this.#events = this.#events.slice(-this.#capacity);
  }

  from(position: number, limit: number): readonly StreamEvent[] | undefined {
    const first = this.#events[0];
    if (first === undefined || position < first.position) return undefined;
    const at = position - first.position;
    if (at >= this.#events.length) return undefined;
    return this.#events.slice(at, at + limit);
  }
}

/**
 * Where a source was last seen to end, to spare a caught-up reader the read that would come back empty (live, every
 * event otherwise costs one more query per processor). A read that returned fewer events than it asked for saw the
 * end of the source; every later write is notified through the watcher, so until a notification at or after a
 * position past that end, a read from there finds nothing. Positions of a source are dense.
 */
export class KnownEnd {
  readonly #watcher: EventWatcher;
  readonly #source: SourceRef;
  #end: number | undefined;

  constructor(watcher: EventWatcher, source: SourceRef) {
    this.#watcher = watcher;
    this.#source = source;
  }

  /** True when a read from `position` would certainly find nothing now. */
  nothingFrom(position: number): boolean {
    return this.#end !== undefined && position >= this.#end && !this.#watcher.notifiedFrom(this.#source, position);
  }

  /** Records a read of up to `limit` events from `from` that returned `count`, the last of them just before `end`. */
  read(from: number, limit: number, count: number, end: number): void {
    this.#end = count < limit ? (count === 0 ? from : end) : undefined;
  }
}

/** Resolves after `ms` or when the signal aborts, whichever comes first; never rejects. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, Math.min(ms, 2_147_483_647)));
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Lets the event loop run I/O and timers before the next batch. SQLite's driver is synchronous, so a processor
 * catching up would otherwise keep the loop busy until it reached the end of its stream, starving every gRPC call.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
