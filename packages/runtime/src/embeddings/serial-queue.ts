/**
 * Runs jobs one at a time, in the order they were queued. Bounded: past `maxPending` queued or running jobs,
 * `run` refuses at once instead of letting work pile up behind a slow head.
 */
export class SerialQueue {
  readonly #maxPending: number;
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  constructor(maxPending: number) {
    this.#maxPending = maxPending;
  }

  get pending(): number {
    return this.#pending;
  }

  /** Undefined when the queue is full; otherwise the job's result, once every job queued before it has settled. */
  run<T>(job: () => Promise<T>): Promise<T> | undefined {
    if (this.#pending >= this.#maxPending) return undefined;
    this.#pending++;
    const result = this.#tail.then(job).finally(() => {
      this.#pending--;
    });
    this.#tail = result.catch(() => {});
    return result;
  }
}
