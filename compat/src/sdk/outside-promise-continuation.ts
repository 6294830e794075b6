// SDK 17 loads aggregates synchronously: `client.aggregateOf(...)` calls `fetchForAggregateSync`, which spins
// `deasync.sleep()` until the gRPC promise settles (10 s timeout). That promise is settled by a microtask, and
// microtasks queued while a microtask (a promise continuation, e.g. the body of an `async` test after an `await`)
// is still running cannot run until it returns: the spin then always times out. From a timer callback the nested
// event-loop turns deasync drives do drain microtasks, so the load works.

/** Runs `work` in a fresh timer callback (outside any promise continuation) and settles with its outcome. */
export function outsidePromiseContinuation<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    setTimeout(() => {
      try {
        resolve(work());
      } catch (error) {
        reject(error);
      }
    }, 0);
  });
}
