import {
  createGuid,
  developmentMicroservice,
  developmentTenant,
  type EventLogSequenceNumber,
  type EventSourceId,
  type TenantId,
} from '@dolittle-ts/fundamentals';
import { type NewEvent, serializeContent } from '../event-types.js';
import type { StoredEvent } from '../transport/transport.js';

/** Turns `Type.create(...)` events into events as the Runtime would store them (content validated on the way). */
export async function storeEvents(
  events: readonly NewEvent<unknown>[],
  options: { tenant?: TenantId; eventSourceId?: EventSourceId; firstSequenceNumber?: number } = {},
): Promise<StoredEvent[]> {
  const tenant = options.tenant ?? developmentTenant;
  const fallbackSource = options.eventSourceId ?? (createGuid() as string as EventSourceId);
  const first = options.firstSequenceNumber ?? 0;
  return Promise.all(
    events.map(async (event, i) => ({
      sequenceNumber: (first + i) as EventLogSequenceNumber,
      occurred: new Date(),
      eventSourceId: event.eventSourceId ?? fallbackSource,
      executionContext: {
        microserviceId: developmentMicroservice,
        tenantId: tenant,
        version: { major: 0, minor: 0, patch: 0, build: 0, preRelease: '' },
        correlationId: createGuid() as never,
        claims: [],
        environment: 'Test',
      },
      type: event.type.artifact,
      public: event.public,
      content: await serializeContent(event.type, event.content),
      external: undefined,
    })),
  );
}
