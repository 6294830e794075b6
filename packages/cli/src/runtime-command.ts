import { DolittleError, InvalidConfiguration } from '@dolittle-ts/fundamentals';
import { type RuntimeConfig, type RuntimeFlags, resolveRuntimeConfig } from '@dolittle-ts/runtime/config';
import { type DestinationStream, type Logger, pino } from 'pino';
import { type ExitCode, exitCodes } from './exit-codes.js';
import { formatReadyLine } from './ready-line.js';
import { listenForShutdown } from './shutdown-signals.js';

const prefix = 'dolittle runtime';

/**
 * `dolittle runtime`: resolve the configuration, start the Runtime, print the ready line, then serve until SIGINT or
 * SIGTERM. Resolves with the exit code once it is done; the caller exits the process with it.
 */
export async function runRuntimeCommand(flags: RuntimeFlags): Promise<ExitCode> {
  let config: RuntimeConfig;
  try {
    config = await resolveRuntimeConfig({ flags, env: process.env, cwd: process.cwd() });
  } catch (error) {
    printProblem(error);
    return error instanceof InvalidConfiguration ? exitCodes.configuration : exitCodes.failure;
  }

  const destination = pino.destination({ dest: 2, sync: false });
  const logger = pino({ name: 'dolittle-runtime', level: config.logLevel }, destination);
  // Logs are written asynchronously; flush them first so that the problem is the last line on stderr.
  const report = (error: unknown) => {
    flush(destination);
    printProblem(error);
  };
  try {
    return await serve(config, logger, report);
  } finally {
    flush(destination);
  }
}

type RunningRuntime = Awaited<ReturnType<typeof import('@dolittle-ts/runtime').startRuntime>>;

async function serve(config: RuntimeConfig, logger: Logger, report: (error: unknown) => void): Promise<ExitCode> {
  const signals = listenForShutdown(logger);
  const never = new Promise<never>(() => {});

  const starting = (async (): Promise<{ runtime: RunningRuntime } | { error: unknown }> => {
    try {
      // Loaded only now: a configuration error is reported without loading gRPC, the stores and the rest.
      const { startRuntime } = await import('@dolittle-ts/runtime');
      return { runtime: await startRuntime(config, { logger }) };
    } catch (error) {
      return { error };
    }
  })();
  const started = await Promise.race([starting, signals.forced.then(() => undefined)]);
  if (started === undefined) return exitCodes.failure;
  if ('error' in started) {
    logger.debug({ err: started.error }, 'the Runtime could not start');
    report(started.error);
    return started.error instanceof InvalidConfiguration ? exitCodes.configuration : exitCodes.failure;
  }
  const { runtime } = started;

  // Asked to stop while starting: stop without announcing a Runtime that is about to go away.
  if (!signals.received) process.stdout.write(`${formatReadyLine(runtime, config.tenants.keys())}\n`);

  const stoppedBySignal = signals.requested
    .then(() => runtime.stop())
    .then(
      () => exitCodes.ok,
      (error: unknown) => {
        logger.error({ err: error }, 'stopping the Runtime failed');
        report(error);
        return exitCodes.failure;
      },
    );
  const stoppedOnItsOwn = runtime.stopped.then(
    () => {
      // Stopping because of a signal resolves `stopped` too; that outcome is stoppedBySignal's to report.
      if (signals.received) return never;
      logger.error('the Runtime stopped on its own');
      report(new Error('the Runtime stopped on its own (see the log above)'));
      return exitCodes.failure;
    },
    (error: unknown) => {
      logger.error({ err: error }, 'the Runtime failed');
      report(error);
      return exitCodes.failure;
    },
  );
  return await Promise.race([stoppedBySignal, stoppedOnItsOwn, signals.forced.then(() => exitCodes.failure)]);
}

/** One line on stderr: what went wrong, and the cause when the message does not already say it. */
function printProblem(error: unknown): void {
  process.stderr.write(`${prefix}: ${describeProblem(error)}\n`);
}

export function describeProblem(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof DolittleError) && error instanceof Error && message === '') message = error.name;
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && cause.message !== '' && !message.includes(cause.message)) {
    message = `${message}: ${cause.message}`;
  }
  return message.replace(/\s*\n\s*/g, ' ');
}

function flush(destination: DestinationStream & { flushSync?: () => void }): void {
  try {
    destination.flushSync?.();
  } catch {
    // stderr is gone; there is nowhere left to report to.
  }
}
