/*
 * Test helpers for the Runtime's own tests: an in-process Runtime on real stores with OS-chosen ports, and a bare
 * gRPC client built from Dolittle's contracts (what the official SDK sends, without the SDK).
 */

import { developmentMicroservice, developmentTenant, type Guid, type TenantId } from '@dolittle-ts/fundamentals';
import { type Client, credentials, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { pino } from 'pino';
import type { RuntimeConfig, StoreConfig, TenantConfig } from '../config/runtime-config.js';
import {
  Artifact,
  CallRequestContext,
  ExecutionContext,
  eventStoreService,
  UncommittedEvent,
  Version,
} from '../grpc/contracts.js';
import { guidToUuid } from '../grpc/convert.js';
import { type RunningRuntime, startRuntime } from '../server.js';

export function testConfig(
  overrides: Partial<RuntimeConfig> & { stores?: Record<string, StoreConfig> } = {},
): RuntimeConfig {
  const stores = overrides.stores ?? { [developmentTenant]: { kind: 'sqlite-memory' } as StoreConfig };
  const tenants = new Map<TenantId, TenantConfig>(
    Object.entries(stores).map(([id, store]) => [id as TenantId, { id: id as TenantId, store }]),
  );
  const { stores: _, ...rest } = overrides;
  return {
    configDir: '/nonexistent',
    dataDir: '/nonexistent',
    microserviceId: developmentMicroservice,
    environment: 'Test',
    endpoints: { private: { host: '127.0.0.1', port: 0 }, public: { host: '127.0.0.1', port: 0 } },
    metrics: undefined,
    tenants,
    allowUnsafeDurability: false,
    maxMessageBytes: 4 * 1024 * 1024,
    partitionsInFlight: 8,
    publicTls: undefined,
    microservices: new Map(),
    consents: new Map(),
    logLevel: 'error',
    ...rest,
  };
}

export async function startTestRuntime(config: RuntimeConfig): Promise<RunningRuntime> {
  return startRuntime(config, { logger: pino({ level: process.env.DOLITTLE_TEST_LOG ?? 'silent' }) });
}

type Unary = (request: unknown, callback: (error: ServiceError | null, response: unknown) => void) => void;

export interface EventStoreClient {
  readonly client: Client;
  call<R>(method: 'commit' | 'commitForAggregate' | 'fetchForAggregate', request: unknown): Promise<R>;
  close(): void;
}

export function eventStoreClient(port: number): EventStoreClient {
  const Constructor = makeGenericClientConstructor(eventStoreService as never, 'EventStore');
  const client = new Constructor(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as Client &
    Record<string, Unary>;
  return {
    client,
    call<R>(method: string, request: unknown) {
      return new Promise<R>((resolve, reject) => {
        (client[method] as Unary).call(client, request, (error, response) =>
          error ? reject(error) : resolve(response as R),
        );
      });
    },
    close: () => client.close(),
  };
}

export function callContext(tenant: Guid | string = developmentTenant, correlation?: string): CallRequestContext {
  const context = new ExecutionContext();
  context.setMicroserviceid(guidToUuid(developmentMicroservice));
  context.setTenantid(guidToUuid(tenant));
  const version = new Version();
  version.setMajor(1);
  version.setMinor(2);
  version.setPatch(3);
  version.setPrereleasestring('beta');
  context.setVersion(version);
  context.setCorrelationid(guidToUuid(correlation ?? crypto.randomUUID()));
  context.setEnvironment('Test');
  const call = new CallRequestContext();
  call.setExecutioncontext(context);
  call.setHeadid(guidToUuid(crypto.randomUUID()));
  return call;
}

export function artifact(id: string, generation = 1): Artifact {
  const pb = new Artifact();
  pb.setId(guidToUuid(id));
  pb.setGeneration(generation);
  return pb;
}

export function uncommittedEvent(
  eventSourceId: string,
  typeId: string,
  content: unknown,
  isPublic = false,
): UncommittedEvent {
  const event = new UncommittedEvent();
  event.setEventsourceid(guidToUuid(eventSourceId));
  event.setArtifact(artifact(typeId));
  event.setPublic(isPublic);
  event.setContent(typeof content === 'string' ? content : JSON.stringify(content));
  return event;
}
