/*
 * Growth with the number of tenants: for each count, a fresh Runtime with that many tenants configured, each with
 * its own store. Its RSS is read once it has been left alone after start (idle), then one-event Commits from
 * `commitClients` clients, spread over every tenant (call n of worker w goes to tenant (w + n × clients) mod
 * count, so each tenant gets its share), closed loop; RSS is sampled throughout the load for the peak.
 */
import { progress, type StoreName } from '../catch-up-setup.js';
import { commitEventsTemplate } from '../support/event-store-wire.js';
import { formatCount, formatFigure } from '../support/table.js';
import { connectClients, type UnaryClient } from '../support/unary-client.js';
import { type CommitWindowFigure, idleRssMiB, measureCommitWindow, RssSampler } from './measure.js';
import type { GrowthSizes } from './options.js';
import { postgresCapacityProblem, startGrowthRuntime } from './runtime.js';

export interface TenantsFigure {
  readonly store: StoreName;
  readonly tenants: number;
  readonly location?: string;
  readonly idleRssMiB?: number;
  /** The highest RSS seen during the warm-up and the measured window. */
  readonly peakRssMiB?: number;
  readonly commit?: CommitWindowFigure;
  /** Why this count was not measured, or how it failed. */
  readonly error?: string;
}

export async function measureTenantCount(
  store: StoreName,
  tenantCount: number,
  sizes: GrowthSizes,
): Promise<TenantsFigure> {
  if (store === 'postgres') {
    const problem = await postgresCapacityProblem(tenantCount);
    if (problem !== undefined) {
      progress('growth', `${store}: ${tenantCount} tenants NOT RUN: ${problem}`);
      return { store, tenants: tenantCount, error: `not run: ${problem}` };
    }
  }
  progress('growth', `${store}: starting a Runtime with ${tenantCount} tenant${tenantCount === 1 ? '' : 's'}`);
  let runtime: Awaited<ReturnType<typeof startGrowthRuntime>>;
  try {
    runtime = await startGrowthRuntime(store, tenantCount);
  } catch (error) {
    progress('growth', `${store}: ${tenantCount} tenants: the Runtime did not start: ${(error as Error).message}`);
    return { store, tenants: tenantCount, error: `the Runtime did not start: ${(error as Error).message}` };
  }
  const pid = runtime.runtime.pid;
  let clients: UnaryClient[] = [];
  let sampler: RssSampler | undefined;
  let idle: number | undefined;
  try {
    idle = await idleRssMiB(pid, sizes.idleSettleMs);
    sampler = new RssSampler(pid);
    clients = await connectClients(runtime.address, sizes.commitClients);
    const templates = runtime.tenants.map((tenant) => commitEventsTemplate(1, tenant));
    const workers = clients.length;
    let next = 0;
    const { figure } = await measureCommitWindow({
      runtimePid: pid,
      postgres: store === 'postgres',
      clients,
      request: (worker, n) => {
        const tenant = (worker + n * workers) % templates.length;
        return (templates[tenant] as (typeof templates)[number]).stamp(next++);
      },
      warmupMs: sizes.warmupMs,
      windowMs: sizes.commitWindowMs,
    });
    const peak = sampler.stop();
    progress(
      'growth',
      `${store}: ${tenantCount} tenant${tenantCount === 1 ? '' : 's'}: idle RSS ${formatFigure(idle)} MiB, peak ${formatFigure(peak)} MiB; commit p50 ${formatFigure(figure.p50Ms)} ms, p99 ${formatFigure(figure.p99Ms)} ms, ${formatCount(figure.eventsPerSecond)} events/s`,
    );
    return {
      store,
      tenants: tenantCount,
      location: runtime.location,
      idleRssMiB: idle,
      peakRssMiB: peak,
      commit: figure,
    };
  } catch (error) {
    progress('growth', `${store}: ${tenantCount} tenants FAILED: ${(error as Error).stack ?? String(error)}`);
    return {
      store,
      tenants: tenantCount,
      location: runtime.location,
      ...(idle === undefined ? {} : { idleRssMiB: idle }),
      ...(sampler === undefined ? {} : { peakRssMiB: sampler.stop() }),
      error: (error as Error).message,
    };
  } finally {
    for (const client of clients) client.close();
    await runtime.dispose();
  }
}
