/*
 * Keeps one processor registered for as long as the client runs: register, wait for the connection to end,
 * back off, register again. The same loop serves both transports, so reconnecting behaves the same everywhere.
 */
import { DolittleSdkError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Processor, Transport } from '../transport/transport.js';
import { backoffDelay, sleep } from './sleep.js';

export interface ReconnectOptions {
  /** Delay before the first re-registration; doubles per failed attempt. Default 500 ms. */
  readonly initialDelayMs?: number;
  /** Default 10 s. */
  readonly maxDelayMs?: number;
}

export interface SupervisedProcessor {
  /**
   * Resolves once the Runtime first accepted the processor. Rejects with RegistrationFailed when it refused it the
   * first time (the supervisor then stops), or Aborted/ClientClosed when the client closed first.
   */
  readonly registered: Promise<void>;
  /** Resolves when the supervisor stopped (after `signal` aborted, or a first refusal). Never rejects. */
  readonly done: Promise<void>;
}

export function superviseProcessor(
  transport: Transport,
  processor: Processor,
  options: { readonly signal: AbortSignal; readonly logger: Logger; readonly reconnect?: ReconnectOptions | undefined },
): SupervisedProcessor {
  const { signal, logger } = options;
  const initial = options.reconnect?.initialDelayMs ?? 500;
  const max = options.reconnect?.maxDelayMs ?? 10_000;
  const what = `${processor.kind} ${processor.id}`;
  let settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  const registered = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Callers may never look at `registered` (e.g. when connect was aborted): keep it from being unhandled.
  registered.catch(() => {});

  const done = (async () => {
    let attempt = 0;
    let everRegistered = false;
    while (!signal.aborted) {
      try {
        const connection = await transport.register(processor, { signal });
        attempt = 0;
        if (!everRegistered) {
          everRegistered = true;
          settle?.resolve();
        } else {
          logger.info(`${what} registered again`);
        }
        const end = await connection.ended;
        if (end.reason === 'closed' || signal.aborted) break;
        logger.warn(`${what} lost its connection (${end.description}); registering again`);
      } catch (error) {
        if (signal.aborted) break;
        const code = error instanceof DolittleSdkError ? error.code : 'Internal';
        if (!everRegistered && code === 'RegistrationFailed') {
          settle?.reject(error);
          return;
        }
        const data = { error: error instanceof Error ? error.message : error };
        if (code === 'Unavailable') logger.debug(`${what} could not reach the Runtime; trying again`, data);
        else logger.warn(`${what} could not be registered; trying again`, data);
      }
      await sleep(backoffDelay(attempt++, initial, max), signal);
    }
    settle?.reject(new DolittleSdkError('ClientClosed', `${what}: the client was closed before it was registered`));
  })();
  return { registered, done };
}
