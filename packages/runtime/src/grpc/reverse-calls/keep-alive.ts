export interface KeepAliveOptions {
  readonly pingIntervalMs: number;
  /** Called every ping interval; may decide to skip the ping. */
  readonly ping: () => void;
  /** Called once when nothing was seen from the client for 3 × the ping interval. The keep-alive is then stopped. */
  readonly expired: (silentForMs: number) => void;
}

/**
 * Dolittle's pinged connection: ping every interval from the moment the first message is read, and give up on a
 * client that sent nothing (responses and pongs alike) for 3 × the interval. Two timers, both released by `stop()`.
 * `seen()` is called for every client message, so it only stores a timestamp; the deadline timer re-arms itself
 * for the remaining time instead of being reset per message.
 */
export class KeepAlive {
  readonly #timeoutMs: number;
  readonly #expired: (silentForMs: number) => void;
  readonly #pinger: NodeJS.Timeout;
  #deadline: NodeJS.Timeout;
  #lastSeen = performance.now();
  #stopped = false;

  constructor(options: KeepAliveOptions) {
    this.#timeoutMs = options.pingIntervalMs * 3;
    this.#expired = options.expired;
    this.#pinger = setInterval(options.ping, options.pingIntervalMs);
    this.#deadline = setTimeout(this.#check, this.#timeoutMs);
  }

  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  seen(): void {
    this.#lastSeen = performance.now();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#pinger);
    clearTimeout(this.#deadline);
  }

  readonly #check = (): void => {
    if (this.#stopped) return;
    const silentForMs = performance.now() - this.#lastSeen;
    if (silentForMs < this.#timeoutMs) {
      this.#deadline = setTimeout(this.#check, this.#timeoutMs - silentForMs);
      return;
    }
    this.stop();
    this.#expired(Math.round(silentForMs));
  };
}
