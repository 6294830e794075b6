import assert from 'node:assert/strict';
import {
  asMicroserviceId,
  type ConsentId,
  createGuid,
  DolittleError,
  type ErrorCode,
  type ExecutionContext,
} from '@dolittle-ts/fundamentals';
import type { CommittedEvent, ReceivedEvent, SubscriptionKey, SubscriptionStates, TenantStore } from '../index.js';
import {
  buildExecutionContext,
  newArtifact,
  newEventSourceId,
  newScopeId,
  newTenantId,
  sequenceNumber,
} from './builders.js';
import { newPartitionId, newStreamId, streamPosition } from './processing-builders.js';

/*
 * Builders for the event-horizon port (subscription states), shared by its conformance suite and the Runtime's own
 * tests. Every id is fresh unless given.
 */

export const newConsentId = (): ConsentId => createGuid() as string as ConsentId;

/** A subscription with fresh ids into a fresh (non-default) scope; every field can be overridden. */
export function newSubscriptionKey(overrides: Partial<SubscriptionKey> = {}): SubscriptionKey {
  return {
    producerMicroservice: asMicroserviceId(createGuid()),
    producerTenant: newTenantId(),
    stream: newStreamId(),
    partition: newPartitionId(),
    scope: newScopeId(),
    ...overrides,
  };
}

/** The producer's execution context as it arrives: another microservice and tenant, claims stripped. */
export function producerExecutionContext(overrides: Partial<ExecutionContext> = {}): ExecutionContext {
  return buildExecutionContext({
    microserviceId: asMicroserviceId(createGuid()),
    tenantId: newTenantId(),
    claims: [],
    environment: 'Production',
    ...overrides,
  });
}

/**
 * A public event as the producer sends it, at `position` in its public stream. Unless overridden, its producer
 * sequence number is `1000 + position` (so it never equals the consumer's) and its content is `{"at":position}`.
 */
export function receivedEvent(position: number, overrides: Partial<ReceivedEvent> = {}): ReceivedEvent {
  return {
    streamPosition: streamPosition(position),
    producerSequenceNumber: sequenceNumber(1000 + position),
    occurred: new Date(Date.UTC(2024, 4, 6, 7, 8, 9, position % 1000)),
    eventSourceId: newEventSourceId(),
    executionContext: producerExecutionContext(),
    type: newArtifact(),
    content: `{"at":${position}}`,
    ...overrides,
  };
}

/** Received events at the given public-stream positions. */
export const receivedEvents = (positions: readonly number[]): ReceivedEvent[] => positions.map((p) => receivedEvent(p));

/**
 * The external events a `receive` must store, derived from the port's contract alone: consecutive sequence numbers
 * of the scope's log from `firstSequenceNumber`, the producer's fields verbatim, not public, no aggregate, and the
 * producer's sequence number, received time and consent as external metadata.
 */
export function expectedExternalEvents(
  events: readonly ReceivedEvent[],
  firstSequenceNumber: number,
  options: { readonly consentId: ConsentId; readonly received: Date },
): CommittedEvent[] {
  return events.map((event, i) => ({
    sequenceNumber: sequenceNumber(firstSequenceNumber + i),
    occurred: new Date(event.occurred.getTime()),
    eventSourceId: event.eventSourceId,
    executionContext: event.executionContext,
    type: { id: event.type.id, generation: event.type.generation },
    public: false,
    content: event.content,
    aggregate: undefined,
    external: {
      sequenceNumber: event.producerSequenceNumber,
      received: new Date(options.received.getTime()),
      consentId: options.consentId,
    },
  }));
}

/** The subscription states of a tenant store; the test fails if the adapter has none. */
export interface SubscriptionPorts {
  readonly subscriptions: SubscriptionStates;
}

export function subscriptionPorts(store: TenantStore): SubscriptionPorts {
  const { subscriptions } = store;
  assert.ok(subscriptions !== undefined, `${store.location}: the tenant store has no subscriptions`);
  return { subscriptions };
}

/**
 * Checks a refusal: a `DolittleError` with `code` whose message names every one of `numbers` (as whole numbers,
 * not as parts of longer ones).
 */
export function refusedWith(code: ErrorCode, ...numbers: readonly number[]): (error: unknown) => true {
  return (error) => {
    assert.ok(error instanceof DolittleError, `expected a DolittleError, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    for (const n of numbers) {
      assert.match(
        error.message,
        new RegExp(`(^|[^0-9.])${String(n).replace('-', '\\-').replace('.', '\\.')}([^0-9]|$)`),
        `the error names ${n}: ${error.message}`,
      );
    }
    return true;
  };
}
