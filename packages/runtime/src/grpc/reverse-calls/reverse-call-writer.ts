/** The part of a grpc-js server stream the writer uses (a Node `Writable`). */
export interface WritableStream<M> {
  write(message: M): boolean;
  once(event: 'drain', listener: () => void): unknown;
  removeListener(event: 'drain', listener: () => void): unknown;
  readonly writableLength: number;
}

/**
 * Writes server messages in order and respects back-pressure: once grpc-js says its buffer is full (`write` returns
 * false), later messages wait in a queue until 'drain'. The queue holds at most the connect response and one
 * request per outstanding call, and callers bound their outstanding calls (one per tenant stream processor), so it
 * is bounded by construction.
 *
 * Pings go through `writeIfIdle`: a ping is skipped while anything is queued or in flight, so pings never pile up
 * behind a slow client (a request in flight keeps the client's keep-alive satisfied just as well).
 */
export class ReverseCallWriter<M> {
  readonly #stream: WritableStream<M>;
  readonly #queue: M[] = [];
  #waitingForDrain = false;
  #discarded = false;

  constructor(stream: WritableStream<M>) {
    this.#stream = stream;
  }

  /** True while a message is queued or still being handed to the transport. */
  get busy(): boolean {
    return this.#waitingForDrain || this.#queue.length > 0 || this.#stream.writableLength > 0;
  }

  /** Number of messages waiting for 'drain'. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Writes `message` after everything written before it. Dropped once the writer is discarded. */
  write(message: M): void {
    if (this.#discarded) return;
    if (this.#waitingForDrain || this.#queue.length > 0) this.#queue.push(message);
    else this.#writeNow(message);
  }

  /** Writes `message` only if nothing is queued or in flight. Returns whether it was written. */
  writeIfIdle(message: () => M): boolean {
    if (this.#discarded || this.busy) return false;
    this.#writeNow(message());
    return true;
  }

  /** Takes a message that has not been written yet back out of the queue (an aborted call). */
  withdraw(message: M): boolean {
    const at = this.#queue.indexOf(message);
    if (at < 0) return false;
    this.#queue.splice(at, 1);
    return true;
  }

  /** Drops the queue and stops writing; releases the 'drain' listener. What grpc-js already holds is still sent. */
  discard(): void {
    this.#discarded = true;
    this.#queue.length = 0;
    if (this.#waitingForDrain) {
      this.#waitingForDrain = false;
      this.#stream.removeListener('drain', this.#onDrain);
    }
  }

  #writeNow(message: M): void {
    if (!this.#stream.write(message)) {
      this.#waitingForDrain = true;
      this.#stream.once('drain', this.#onDrain);
    }
  }

  readonly #onDrain = (): void => {
    this.#waitingForDrain = false;
    while (!this.#waitingForDrain && !this.#discarded) {
      const next = this.#queue.shift();
      if (next === undefined) return;
      this.#writeNow(next);
    }
  };
}
