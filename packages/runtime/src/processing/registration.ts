import type { Logger } from 'pino';
import type { Tenant, Tenants } from '../tenancy/tenants.js';
import type { ActiveProcessors } from './active-processors.js';

/** What registering processors needs from the Runtime; the same for heads over gRPC and heads in-process. */
export interface ProcessingEnvironment {
  readonly tenants: Tenants;
  readonly active: ActiveProcessors;
  readonly logger: Logger;
  readonly partitionsInFlight: number;
}

/**
 * A processor accepted for every configured tenant and not running yet. Over gRPC the edge answers the head's
 * registration between `register*` and `run`, since requests may only follow the registration response.
 */
export interface Registration {
  /**
   * Runs the processor for every tenant until `signal` aborts (resolves) or a tenant's processing fails for a reason
   * other than the head going away (rejects, after stopping the others). Releases the registration when done.
   */
  run(signal: AbortSignal): Promise<void>;
  /** Gives the registration up without running it. Idempotent. */
  release(): void;
}

/** Runs `work` once per tenant under one signal; the first failure stops the rest and is rethrown. */
export function runForEveryTenant(
  tenants: Tenants,
  release: () => void,
  logger: Logger,
  work: (tenant: Tenant, signal: AbortSignal) => Promise<void>,
): Registration {
  return {
    async run(signal) {
      const stop = new AbortController();
      const onAbort = () => stop.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      // A head may go away (or the Runtime begin to stop) before the processor ever runs.
      if (signal.aborted) stop.abort();
      let failure: unknown;
      try {
        await Promise.all(
          tenants.all().map((tenant) =>
            work(tenant, stop.signal).catch((error: unknown) => {
              if (stop.signal.aborted) return;
              logger.error({ err: error, tenant: tenant.id }, 'processing stopped on an error');
              failure ??= error;
              stop.abort();
            }),
          ),
        );
      } finally {
        signal.removeEventListener('abort', onAbort);
        release();
      }
      if (failure !== undefined) throw failure;
    },
    release,
  };
}
