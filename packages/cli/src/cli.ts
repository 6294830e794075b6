import { readFileSync } from 'node:fs';
import { runtimeSettings } from '@dolittle-ts/runtime/config';
import { Command, CommanderError, Option } from 'commander';
import { type ExitCode, exitCodes } from './exit-codes.js';
import { runRuntimeCommand } from './runtime-command.js';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

/**
 * Runs `dolittle <args>` and resolves with the exit code. Help and version go to stdout; every error is one line on
 * stderr starting with the command's name (`dolittle runtime: …`).
 */
export async function runCli(args: readonly string[]): Promise<ExitCode> {
  let exitCode: ExitCode = exitCodes.ok;
  const program = createProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // Help and version "fail" with exit code 0; anything else is a usage error, a problem of configuration.
    return error.exitCode === 0 ? exitCodes.ok : exitCodes.configuration;
  }
  return exitCode;
}

export function createProgram(onExit: (code: ExitCode) => void): Command {
  const program = configure(new Command('dolittle'), 'dolittle')
    .description('Dolittle for TypeScript: run and manage a Dolittle Runtime')
    .version(version, '-V, --version', 'print the version');

  const runtime = configure(program.command('runtime'), 'dolittle runtime')
    .description(
      'start a Runtime serving the Dolittle SDK (prints one "Dolittle Runtime ready …" line on stdout once it serves)',
    )
    .addHelpText('after', runtimeHelpFooter);
  for (const setting of runtimeSettings) {
    const flags = setting.placeholder === undefined ? setting.flag : `${setting.flag} ${setting.placeholder}`;
    runtime.addOption(new Option(flags, `${setting.description} [env ${setting.env}; default ${setting.defaultText}]`));
  }
  runtime.action(async () => {
    onExit(await runRuntimeCommand(runtime.opts()));
  });
  return program;
}

function configure(command: Command, name: string): Command {
  return command
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
      // Commander's "error: …" (and its "(Did you mean …?)") as one line naming the command.
      outputError: (text, write) =>
        write(
          `${name}: ${text
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')}\n`,
        ),
    });
}

const runtimeHelpFooter = `
Configuration is read from the config directory (tenants.json, resources.json, endpoints.json, metrics.json,
event-horizon-consents.json, microservices.json; Dolittle 6.x shapes, all optional), then DOLITTLE_* variables, then
flags: a flag beats its variable, which beats the files. DOLITTLE_POSTGRES_USER (default postgres) is the user for
Dolittle's MongoDB-era { "servers", "database" } event stores, which are read as PostgreSQL.

TLS: the public port serves TLS with --public-tls-cert and --public-tls-key (both or neither; or "tls" in
endpoints.json "public"); producers in microservices.json are reached over TLS with "tls": true or { "ca": … }. PEM
files are read at start; paths in flags are relative to the working directory, paths in files to the config dir.

Exit codes: 0 stopped by SIGINT/SIGTERM after in-flight commits finished; 1 could not start, stopped on its own,
or a second signal forced the exit; 2 invalid configuration or command line.`;
