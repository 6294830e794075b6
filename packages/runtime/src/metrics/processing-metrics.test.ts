import assert from 'node:assert/strict';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { RuntimeMetrics } from './metrics.js';

function scrape(address: AddressInfo): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: address.address, port: address.port, path: '/metrics' }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

const line = (body: string, start: string) => body.split('\n').find((l) => l.startsWith(start));

test('processed events and their durations are served on /metrics as a counter and a histogram', async () => {
  const metrics = new RuntimeMetrics();
  const { server, address } = await metrics.serve('127.0.0.1', 0);
  try {
    const handler = metrics.processing.recorder('event-handler', 'tenant-a');
    assert.equal(metrics.processing.recorder('event-handler', 'tenant-a'), handler);
    handler.record(false, 0.0002);
    handler.record(false, 0.003);
    handler.record(true, 7);
    metrics.processing.recorder('event-handler', 'tenant-b').record(false, 0.0001);
    metrics.processing.recorder('filter', 'tenant-a').record(false, 0.02);

    const body = await scrape(address);
    assert.match(body, /# TYPE dolittle_events_processed_total counter/);
    assert.match(body, /# TYPE dolittle_processing_seconds histogram/);
    const processed = (labels: string) => line(body, `dolittle_events_processed_total{${labels}} `);
    assert.equal(
      processed('tenant="tenant-a",kind="event-handler",result="succeeded"'),
      `dolittle_events_processed_total{tenant="tenant-a",kind="event-handler",result="succeeded"} 2`,
    );
    assert.match(processed('tenant="tenant-a",kind="event-handler",result="failed"') ?? '', / 1$/);
    assert.match(processed('tenant="tenant-b",kind="event-handler",result="succeeded"') ?? '', / 1$/);
    assert.match(processed('tenant="tenant-a",kind="filter",result="succeeded"') ?? '', / 1$/);
    assert.equal(processed('tenant="tenant-b",kind="event-handler",result="failed"'), undefined);

    // Buckets are cumulative; 0.0001 is in the first (le is inclusive), 7 s only in +Inf.
    const bucket = (le: string, kind = 'event-handler') =>
      line(body, `dolittle_processing_seconds_bucket{le="${le}",kind="${kind}"} `)?.split(' ')[1];
    assert.equal(bucket('0.0001'), '1');
    assert.equal(bucket('0.00025'), '2');
    assert.equal(bucket('0.0025'), '2');
    assert.equal(bucket('0.005'), '3');
    assert.equal(bucket('5'), '3');
    assert.equal(bucket('+Inf'), '4');
    assert.equal(bucket('0.01', 'filter'), '0');
    assert.equal(bucket('0.05', 'filter'), '1');
    assert.equal(
      line(body, 'dolittle_processing_seconds_count{kind="event-handler"} '),
      'dolittle_processing_seconds_count{kind="event-handler"} 4',
    );
    const sum = Number(line(body, 'dolittle_processing_seconds_sum{kind="event-handler"} ')?.split(' ')[1]);
    assert.ok(Math.abs(sum - 7.0033) < 1e-9, `sum ${sum}`);

    // The figures keep counting after a scrape.
    handler.record(false, 0.0002);
    const again = await scrape(address);
    assert.match(line(again, 'dolittle_processing_seconds_count{kind="event-handler"} ') ?? '', / 5$/);

    // A reset zeroes the figures, and a recorder kept from before goes on counting.
    metrics.registry.resetMetrics();
    handler.record(true, 0.0002);
    const reset = await scrape(address);
    assert.equal(
      line(reset, 'dolittle_events_processed_total{tenant="tenant-a",kind="event-handler",result="succeeded"} '),
      undefined,
    );
    assert.match(
      line(reset, 'dolittle_events_processed_total{tenant="tenant-a",kind="event-handler",result="failed"} ') ?? '',
      / 1$/,
    );
    assert.match(line(reset, 'dolittle_processing_seconds_count{kind="event-handler"} ') ?? '', / 1$/);
  } finally {
    server.close();
  }
});
