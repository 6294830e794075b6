export { createProgram, runCli } from './cli.js';
export { type ExitCode, exitCodes } from './exit-codes.js';
export { formatReadyLine, type ReadyRuntime } from './ready-line.js';
export { describeProblem, runRuntimeCommand } from './runtime-command.js';
