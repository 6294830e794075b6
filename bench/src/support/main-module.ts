import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Runs `main` with the command line and the bench folder when the module at `moduleUrl` is the program node was
 * started with (not when another module imports it). A failure prints its message and sets exit code 1.
 */
export async function runIfMain(
  moduleUrl: string,
  main: (argv: readonly string[], benchDir: string) => Promise<void>,
): Promise<void> {
  const program = process.argv[1];
  if (program === undefined || moduleUrl !== pathToFileURL(resolve(program)).href) return;
  try {
    await main(process.argv.slice(2), dirname(dirname(fileURLToPath(moduleUrl))));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
