/*
 * Many connections (and many calls) share one signal: the Runtime's shutdown signal, a stream processor's signal.
 * Adding a listener per connection to it trips Node's MaxListenersExceededWarning at 11 and costs a listener per
 * connection; here each signal gets exactly one listener that fans out to a set we add to and remove from.
 */
const subscribers = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `listener` once when `signal` aborts. Returns the unsubscribe; call it when no longer interested. */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  let set = subscribers.get(signal);
  if (set === undefined) {
    const created = new Set<() => void>();
    set = created;
    subscribers.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        subscribers.delete(signal);
        for (const subscriber of created) subscriber();
      },
      { once: true },
    );
  }
  const own = set;
  own.add(listener);
  return () => {
    own.delete(listener);
  };
}

/** How many subscribers wait on `signal`; for leak checks in tests. */
export function abortSubscriberCount(signal: AbortSignal): number {
  return subscribers.get(signal)?.size ?? 0;
}
