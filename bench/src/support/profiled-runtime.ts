#!/usr/bin/env node
/*
 * Runs the Runtime CLI under the V8 CPU profiler, for `--profile`: Node 20 refuses `--cpu-prof` in NODE_OPTIONS and
 * the process harness starts `node <cli> runtime …`, so this script stands in for the CLI, starts the profiler
 * through node:inspector, then loads the real CLI (DOLITTLE_BENCH_CLI) with the same arguments. The profile is
 * written to DOLITTLE_BENCH_PROFILE_DIR when the process exits, like `--cpu-prof` would.
 *
 * Profiling starts at the first SIGUSR2 (the benchmark sends it as its first measurement starts), so start-up and
 * warm-up stay out of the profile; without a SIGUSR2 nothing is written.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const cli = process.env.DOLITTLE_BENCH_CLI;
const dir = process.env.DOLITTLE_BENCH_PROFILE_DIR;
if (!cli || !dir) throw new Error('profiled-runtime needs DOLITTLE_BENCH_CLI and DOLITTLE_BENCH_PROFILE_DIR');

const session = new Session();
session.connect();
let started = false;
process.on('SIGUSR2', () => {
  if (started) return;
  started = true;
  // 1 ms sampling, like --cpu-prof.
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
});
process.on('exit', () => {
  if (!started) return;
  // An in-process inspector session answers synchronously, so this runs before the process is gone.
  session.post('Profiler.stop', (error, result) => {
    if (error) {
      process.stderr.write(`profiled-runtime: could not stop the profiler: ${error.message}\n`);
      return;
    }
    const file = join(dir, `runtime-${process.pid}.cpuprofile`);
    writeFileSync(file, JSON.stringify(result.profile));
  });
});

await import(pathToFileURL(cli).href);
