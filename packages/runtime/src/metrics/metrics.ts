import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { ProcessingMetrics } from './processing-metrics.js';

/** The Runtime's Prometheus metrics, served on `/metrics` (default port 9700). */
export class RuntimeMetrics {
  readonly registry = new Registry();
  readonly eventsCommitted = new Counter({
    name: 'dolittle_events_committed_total',
    help: 'Events written to the event log',
    labelNames: ['tenant'] as const,
    registers: [this.registry],
  });
  readonly commitBatches = new Counter({
    name: 'dolittle_commit_batches_total',
    help: 'Group-commit transactions, by result',
    labelNames: ['tenant', 'result'] as const,
    registers: [this.registry],
  });
  readonly commitBatchSize = new Histogram({
    name: 'dolittle_commit_batch_commits',
    help: 'Commits written per group-commit transaction',
    labelNames: ['tenant'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [this.registry],
  });
  readonly commitBatchSeconds = new Histogram({
    name: 'dolittle_commit_batch_seconds',
    help: 'Time to write one group-commit transaction durably',
    labelNames: ['tenant'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  /** `dolittle_events_processed_total` and `dolittle_processing_seconds`: every event a head processes. */
  readonly processing = new ProcessingMetrics(this.registry);

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'dolittle_runtime_' });
  }

  /** Serves `/metrics`; resolves with the bound address. */
  async serve(host: string, port: number): Promise<{ server: Server; address: AddressInfo }> {
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
        response.writeHead(404).end('not found: metrics are served on GET /metrics\n');
        return;
      }
      this.registry
        .metrics()
        .then((body) => response.writeHead(200, { 'content-type': this.registry.contentType }).end(body))
        .catch((error: unknown) => response.writeHead(500).end(String(error)));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return { server, address: server.address() as AddressInfo };
  }
}
