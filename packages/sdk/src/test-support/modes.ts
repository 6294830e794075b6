/*
 * The two ways the SDK reaches a Runtime, for suites that run once per mode: a real Runtime process (the compat
 * harness, loaded at run time so the SDK does not build against compat) and an in-process Runtime.
 */
import { after, before, describe } from 'node:test';
import { type ConnectOptions, DolittleClient } from '../client.js';
import { silentLogger } from '../logger.js';
import { createTestRuntime, type TestRuntime } from '../testing/in-process-runtime.js';

/** What the suites use of `@dolittle-ts/compat/harness`. */
export interface RuntimeProcess {
  readonly address: string;
  readonly privatePort: number;
  /** The event-horizon (public) port. */
  readonly publicPort: number;
  restart(options?: { samePorts?: boolean }): Promise<RuntimeProcess>;
  kill(): Promise<void>;
  dispose(): Promise<void>;
  stderr(): string;
}

export async function startRuntimeProcess(options: Record<string, unknown> = {}): Promise<RuntimeProcess> {
  const harness = (await import('@dolittle-ts/compat/harness' as string)) as {
    startRuntimeProcess(options: Record<string, unknown>): Promise<RuntimeProcess>;
  };
  return harness.startRuntimeProcess({ store: 'memory', logLevel: 'warn', metrics: false, ...options });
}

export interface ConfigDir {
  readonly path: string;
  remove(): void;
}

/** A Dolittle 6.x config directory (`tenants.json`, `event-horizon-consents.json`, `microservices.json`, …). */
export async function writeConfigDir(contents: {
  readonly tenants?: readonly string[];
  readonly files?: Readonly<Record<string, unknown>>;
}): Promise<ConfigDir> {
  const harness = (await import('@dolittle-ts/compat/harness' as string)) as {
    writeConfigDir(contents: Record<string, unknown>): ConfigDir;
  };
  return harness.writeConfigDir(contents);
}

export interface Mode {
  readonly name: 'embedded' | 'remote';
  /** Connects a client to this mode's Runtime (quiet logger, fast re-registration). */
  connect(options?: Omit<ConnectOptions, 'runtime'>): Promise<DolittleClient>;
  /** The remote Runtime process (remote mode only). */
  readonly process: RuntimeProcess | undefined;
}

/** `describe(title)` once per mode, with a started Runtime; every client connected through the mode is closed after. */
export function describeInEveryMode(title: string, body: (mode: () => Mode) => void): void {
  for (const name of ['embedded', 'remote'] as const) {
    describe(`${title} [${name}]`, { timeout: 120_000 }, () => {
      let embedded: TestRuntime | undefined;
      let remote: RuntimeProcess | undefined;
      const clients = new Set<DolittleClient>();
      before(async () => {
        if (name === 'embedded') embedded = await createTestRuntime();
        else remote = await startRuntimeProcess();
      });
      after(async () => {
        await Promise.all([...clients].map((client) => client.close()));
        await embedded?.stop();
        await remote?.dispose();
      });
      const mode: Mode = {
        name,
        get process() {
          return remote;
        },
        async connect(options = {}) {
          const client =
            embedded !== undefined
              ? await embedded.connect({ reconnect: { initialDelayMs: 50, maxDelayMs: 500 }, ...options })
              : await DolittleClient.connect({
                  logger: silentLogger,
                  reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
                  ...options,
                  runtime: (remote as RuntimeProcess).address,
                });
          clients.add(client);
          return client;
        },
      };
      body(() => mode);
    });
  }
}
