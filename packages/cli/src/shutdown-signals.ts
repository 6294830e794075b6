import type { Logger } from 'pino';

/**
 * SIGINT and SIGTERM as two promises: the first signal asks for a graceful stop, the second forces the exit.
 * Listening starts before the Runtime does, so a signal that arrives while it starts, or right after the ready line,
 * is never met by Node's default action (dying without closing the stores).
 */
export interface ShutdownSignals {
  /** Resolves with the first signal. */
  readonly requested: Promise<NodeJS.Signals>;
  /** Resolves with the second signal. */
  readonly forced: Promise<NodeJS.Signals>;
  /** True once a signal arrived. */
  readonly received: boolean;
}

export function listenForShutdown(logger: Logger): ShutdownSignals {
  let count = 0;
  let request: (signal: NodeJS.Signals) => void = () => {};
  let force: (signal: NodeJS.Signals) => void = () => {};
  const requested = new Promise<NodeJS.Signals>((resolve) => {
    request = resolve;
  });
  const forced = new Promise<NodeJS.Signals>((resolve) => {
    force = resolve;
  });
  const onSignal = (signal: NodeJS.Signals) => {
    count += 1;
    if (count === 1) {
      logger.info({ signal }, 'stopping (a second signal exits at once)');
      request(signal);
    } else {
      logger.warn({ signal }, 'second signal: exiting without waiting for the Runtime to stop');
      force(signal);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    requested,
    forced,
    get received() {
      return count > 0;
    },
  };
}
