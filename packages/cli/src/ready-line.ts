/** The endpoints and store a started Runtime reports (a subset of RunningRuntime, so this stays a pure function). */
export interface ReadyRuntime {
  readonly endpoints: {
    readonly private: { readonly host: string; readonly port: number };
    readonly public: { readonly host: string; readonly port: number };
    readonly metrics: { readonly host: string; readonly port: number } | undefined;
  };
  readonly storeDescription: string;
}

/**
 * The one line `dolittle runtime` prints on stdout once it serves, which tests and benchmarks parse:
 * `Dolittle Runtime ready private=<host>:<port> public=<host>:<port> metrics=<host>:<port>|off store=<…> tenants=<id,…>`.
 * IPv6 hosts are bracketed (`[::]:50053`) so that the port is always what follows the last colon.
 */
export function formatReadyLine(runtime: ReadyRuntime, tenants: Iterable<string>): string {
  const { endpoints } = runtime;
  const metrics = endpoints.metrics === undefined ? 'off' : address(endpoints.metrics);
  return [
    'Dolittle Runtime ready',
    `private=${address(endpoints.private)}`,
    `public=${address(endpoints.public)}`,
    `metrics=${metrics}`,
    `store=${runtime.storeDescription}`,
    `tenants=${[...tenants].join(',')}`,
  ].join(' ');
}

function address({ host, port }: { host: string; port: number }): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
