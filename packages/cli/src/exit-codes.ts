/** What `dolittle` exits with. Scripts and orchestrators tell "fix the configuration" from "try again" by these. */
export const exitCodes = {
  /** Finished, or stopped by SIGINT/SIGTERM after in-flight work completed. */
  ok: 0,
  /** Could not start (store unreachable or locked, port in use, …), stopped on its own, or forced by a second signal. */
  failure: 1,
  /** The configuration (files, flags, variables) or the command line is invalid. Retrying will not help. */
  configuration: 2,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];
