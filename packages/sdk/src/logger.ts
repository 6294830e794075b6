/** Where the SDK reports what it does not throw: lost connections, reconnects, failing handlers. */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

const noop = () => {};

/** Warnings and errors to the console; nothing else. */
export const consoleLogger: Logger = {
  debug: noop,
  info: noop,
  warn: (message, data) => console.warn(`[dolittle] ${message}`, ...(data === undefined ? [] : [data])),
  error: (message, data) => console.error(`[dolittle] ${message}`, ...(data === undefined ? [] : [data])),
};

export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
