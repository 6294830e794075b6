import type { ScopeId } from '@dolittle-ts/fundamentals';
import type { StreamRef } from '@dolittle-ts/store';

/** What a processor reads: a scope's event log, or a filtered stream. */
export type SourceRef =
  | { readonly kind: 'event-log'; readonly scope: ScopeId }
  | ({ readonly kind: 'stream' } & StreamRef);

export function sourceKey(source: SourceRef): string {
  return source.kind === 'event-log'
    ? `log/${source.scope}`
    : `${source.public ? 'public' : 'stream'}/${source.scope}/${source.stream}`;
}

interface Waiter {
  readonly position: number;
  readonly wake: () => void;
}

/**
 * In-process notification of "position N was written to this source", per tenant. Processors wait on it when they
 * have caught up, so a new event reaches them at once; the wait also has a timeout so a missed notification only
 * delays (the slow polling fallback), never stalls.
 */
export class EventWatcher {
  readonly #written = new Map<string, number>();
  readonly #waiters = new Map<string, Set<Waiter>>();

  /** Records that everything up to and including `position` exists in `source`. */
  notify(source: SourceRef, position: number): void {
    const key = sourceKey(source);
    if ((this.#written.get(key) ?? -1) < position) this.#written.set(key, position);
    const waiters = this.#waiters.get(key);
    if (waiters === undefined) return;
    for (const waiter of waiters) {
      if (waiter.position <= position) {
        waiters.delete(waiter);
        waiter.wake();
      }
    }
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
      let waiters = this.#waiters.get(key);
      if (waiters === undefined) {
        waiters = new Set();
        this.#waiters.set(key, waiters);
      }
      const done = () => {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', done);
        waiters.delete(waiter);
        resolve();
      };
      const waiter: Waiter = { position, wake: done };
      const timer = setTimeout(done, options.timeoutMs);
      options.signal.addEventListener('abort', done, { once: true });
      waiters.add(waiter);
    });
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
