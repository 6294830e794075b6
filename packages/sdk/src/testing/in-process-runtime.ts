/*
 * An in-process Runtime for integration tests: real event store (in memory by default), real processors and read
 * models, no server. Connect as many clients to it as a test needs; `stop()` ends it.
 */
import { type EmbeddedRuntimeOptions, startEmbeddedRuntime } from '@dolittle-ts/runtime/embedded';
import { pino } from 'pino';
import { type ConnectOptions, DolittleClient, type EmbeddedRuntime } from '../client.js';
import { toTenantId } from '../ids.js';
import { silentLogger } from '../logger.js';

export interface TestRuntimeOptions {
  /** Default: the development tenant. */
  readonly tenants?: readonly string[];
  /** Default: memory. */
  readonly store?: EmbeddedRuntimeOptions['store'];
  /** The Runtime's log level; `DOLITTLE_TEST_LOG` or `silent` by default. */
  readonly logLevel?: string;
}

export interface TestRuntime {
  readonly runtime: EmbeddedRuntime;
  /** A client of this Runtime (quiet logger unless one is given). Closed by `stop()` if still open. */
  connect(options?: Omit<ConnectOptions, 'runtime'>): Promise<DolittleClient>;
  /** Closes the clients and stops the Runtime. */
  stop(): Promise<void>;
}

export async function createTestRuntime(options: TestRuntimeOptions = {}): Promise<TestRuntime> {
  const runtime = await startEmbeddedRuntime({
    logger: pino({ level: options.logLevel ?? process.env.DOLITTLE_TEST_LOG ?? 'silent' }),
    ...(options.store === undefined ? {} : { store: options.store }),
    ...(options.tenants === undefined ? {} : { tenants: options.tenants.map((t) => toTenantId(t, 'tenants')) }),
  });
  const clients = new Set<DolittleClient>();
  return {
    runtime,
    async connect(connectOptions = {}) {
      const client = await DolittleClient.connect({
        logger: silentLogger,
        ...connectOptions,
        microserviceId: connectOptions.microserviceId ?? runtime.microserviceId,
        runtime: { embedded: { runtime } },
      });
      clients.add(client);
      return client;
    },
    async stop() {
      await Promise.all([...clients].map((client) => client.close()));
      await runtime.stop();
    },
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs` (default 10 s). */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: { readonly timeoutMs?: number; readonly intervalMs?: number; readonly message?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`${options.message ?? 'condition'} not met within ${options.timeoutMs ?? 10_000} ms`, {
        cause: lastError,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
}
