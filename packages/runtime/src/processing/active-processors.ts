/**
 * The processors registered with this Runtime right now (by kind, scope and id). A second registration of the same
 * processor is refused while the first one's head is connected; the claim is released when that head goes away.
 */
export class ActiveProcessors {
  readonly #claimed = new Set<string>();
  readonly #running = new Set<Promise<unknown>>();

  /** Tracks a processor's work so shutdown can wait for it before closing the stores. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work);
    const forget = () => this.#running.delete(work);
    work.then(forget, forget);
    return work;
  }

  /** Resolves once all tracked work has settled (new work started meanwhile included). */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** Returns a release function, or undefined if the processor is already registered. */
  claim(key: string): (() => void) | undefined {
    if (this.#claimed.has(key)) return undefined;
    this.#claimed.add(key);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#claimed.delete(key);
    };
  }

  has(key: string): boolean {
    return this.#claimed.has(key);
  }
}
