// Runs one compat suite once per store (SQLite, PostgreSQL): a real Runtime process per suite, an official SDK
// client against its socket, and a clean teardown (SDK channels closed, Runtime stopped with exit code 0, database
// dropped) so the test file's process ends by itself.
import { after, before, describe } from 'node:test';
import type { Client, ClientBuilder } from '@dolittle/sdk';
import {
  type ConfigDir,
  type PreparedStore,
  type RuntimeProcess,
  type StoreTarget,
  startRuntimeProcess,
  storeTargets,
  writeConfigDir,
} from '../harness';
import { createSdkClient, type SdkClient } from '../sdk';
import { ChefHired, DishPrepared } from './kitchen';

export interface RuntimeSuiteOptions {
  /** Write a `tenants.json` with these tenants into a temporary config dir. Omitted: the development tenant only. */
  readonly tenants?: readonly string[];
  /** Stop the suite after this long (default 60 s). */
  readonly timeoutMs?: number;
  /** More Runtime CLI flags (e.g. `--partitions-in-flight 2`). */
  readonly extraArgs?: readonly string[];
}

export interface RuntimeSuite {
  readonly target: StoreTarget;
  readonly prepared: PreparedStore;
  readonly runtime: RuntimeProcess;
  readonly sdk: SdkClient;
  readonly client: Client;
  readonly configDir: ConfigDir | undefined;
  /** Closes the current SDK client and builds a new one against the Runtime's current private port. */
  reconnect(): SdkClient;
  /**
   * Builds one more SDK client (kitchen event types registered, then `configure`: event handlers, filters…)
   * against the Runtime's current private port. The suite closes it in its `after` hook before it stops the
   * Runtime; closing it earlier is fine.
   */
  connect(configure?: (builder: ClientBuilder) => ClientBuilder): SdkClient;
}

/** The event types every compat client registers. */
export function registerKitchenEventTypes(builder: ClientBuilder): ClientBuilder {
  return builder.withEventTypes((eventTypes) => {
    eventTypes.register(DishPrepared);
    eventTypes.register(ChefHired);
  });
}

/** `describe(title)` once per store, with a started Runtime and SDK client available to the tests. */
export function describeOnEveryStore(
  title: string,
  body: (suite: RuntimeSuite) => void,
  options: RuntimeSuiteOptions = {},
): void {
  for (const target of storeTargets) {
    describe(`${title} [${target.name}]`, { timeout: options.timeoutMs ?? 60_000 }, () => {
      let prepared: PreparedStore | undefined;
      let runtime: RuntimeProcess | undefined;
      let sdk: SdkClient | undefined;
      let configDir: ConfigDir | undefined;
      const extraClients: SdkClient[] = [];
      const required = <T>(value: T | undefined, what: string): T => {
        if (value === undefined) throw new Error(`${what} is not ready: the suite's before hook failed`);
        return value;
      };
      const suite: RuntimeSuite = {
        target,
        get prepared() {
          return required(prepared, 'the store');
        },
        get runtime() {
          return required(runtime, 'the Runtime');
        },
        get sdk() {
          return required(sdk, 'the SDK client');
        },
        get client() {
          return required(sdk, 'the SDK client').client;
        },
        get configDir() {
          return configDir;
        },
        reconnect() {
          sdk?.close();
          sdk = createSdkClient({ port: suite.runtime.privatePort, configure: registerKitchenEventTypes });
          return sdk;
        },
        connect(configure) {
          const extra = createSdkClient({
            port: suite.runtime.privatePort,
            configure: (builder) => {
              const withTypes = registerKitchenEventTypes(builder);
              return configure ? configure(withTypes) : withTypes;
            },
          });
          extraClients.push(extra);
          return extra;
        },
      };

      before(async () => {
        if (options.tenants) configDir = writeConfigDir({ tenants: options.tenants });
        prepared = await target.prepare();
        runtime = await startRuntimeProcess({
          store: prepared.store,
          ...(configDir ? { configDir: configDir.path } : {}),
          ...(options.extraArgs ? { extraArgs: options.extraArgs } : {}),
        });
        suite.reconnect();
      });

      after(async () => {
        for (const extra of extraClients) extra.close();
        sdk?.close();
        try {
          await runtime?.dispose();
        } finally {
          await prepared?.release();
          configDir?.remove();
        }
      });

      body(suite);
    });
  }
}
