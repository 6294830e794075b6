#!/usr/bin/env node
/*
 * Growth benchmark: how commit latency and catch-up speed change as the log grows (0, 100,000, 1,000,000 events),
 * how commit latency, throughput and memory change with the number of tenants (1, 10, 100), and the Runtime's
 * resident memory idle and under load. Each figure is printed beside its baseline from the same run: the smallest
 * log size, or one tenant. See growth/log-size.ts and growth/tenants.ts for what exactly is measured.
 *
 *   node bench/dist/growth.js [--store sqlite|postgres|all] [--quick] [--logs N,…] [--tenants N,…] [--duration S]
 *                             [--out FILE]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkHandleResultEncoding } from './catch-up-head.js';
import { benchVersions, progress } from './catch-up-setup.js';
import { type LogSizeResults, measureLogSizes } from './growth/log-size.js';
import { type GrowthOptions, parseGrowthOptions } from './growth/options.js';
import { formatGrowthReport, type GrowthResults } from './growth/report.js';
import { measureTenantCount, type TenantsFigure } from './growth/tenants.js';
import { describeMachine } from './support/machine.js';
import { runIfMain } from './support/main-module.js';

export async function runGrowth(options: GrowthOptions): Promise<GrowthResults> {
  checkHandleResultEncoding();
  const startedAt = new Date();
  const logSizes: LogSizeResults[] = [];
  const tenants: TenantsFigure[] = [];
  for (const store of options.stores) {
    logSizes.push(await measureLogSizes(store, options.sizes));
    for (const count of options.sizes.tenantCounts) tenants.push(await measureTenantCount(store, count, options.sizes));
  }
  const results: GrowthResults = {
    benchmark: 'growth',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: options.command,
    quick: options.quick,
    machine: describeMachine(),
    versions: await benchVersions(options.stores),
    settings: options.sizes,
    logSizes,
    tenants,
  };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(formatGrowthReport(results));
  console.log(`\nJSON: ${options.out}`);
  progress('growth', `done in ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s`);
  const failed =
    logSizes.some((r) => r.error !== undefined || r.levels.some((l) => l.error !== undefined)) ||
    tenants.some((t) => t.error !== undefined && !t.error.startsWith('not run:'));
  if (failed) process.exitCode = 1;
  return results;
}

await runIfMain(import.meta.url, async (argv, benchDir) => {
  await runGrowth(parseGrowthOptions(argv, benchDir));
});
