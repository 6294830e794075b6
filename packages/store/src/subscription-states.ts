import type {
  Artifact,
  ConsentId,
  EventLogSequenceNumber,
  EventSourceId,
  ExecutionContext,
  MicroserviceId,
  PartitionId,
  ScopeId,
  StreamId,
  StreamPosition,
  TenantId,
} from '@dolittle-ts/fundamentals';
import type { CommittedEvent } from './events.js';

/** An event-horizon subscription of a consumer tenant: which producer's public stream partition, into which scope. */
export interface SubscriptionKey {
  readonly producerMicroservice: MicroserviceId;
  readonly producerTenant: TenantId;
  readonly stream: StreamId;
  readonly partition: PartitionId;
  readonly scope: ScopeId;
}

/** A public event as a producer sent it, to be stored in the consumer's scoped event log as an external event. */
export interface ReceivedEvent {
  /** Its position in the producer's public stream. */
  readonly streamPosition: StreamPosition;
  /** Its sequence number in the producer's event log. */
  readonly producerSequenceNumber: EventLogSequenceNumber;
  readonly occurred: Date;
  readonly eventSourceId: EventSourceId;
  /** The producer's execution context (claims stripped). */
  readonly executionContext: ExecutionContext;
  readonly type: Artifact;
  readonly content: string;
}

/**
 * Received event-horizon events and subscription positions, per consumer tenant.
 *
 * Guarantees every adapter gives (checked by the conformance suite):
 * - `receive` appends the events to the scope's event log (dense sequence numbers continuing that log; external,
 *   not public, with the producer's sequence number, the received time and the consent) AND stores the
 *   subscription's next position, in one durable transaction: after a crash a subscription resumes exactly after
 *   the last stored event, with no gap and no duplicate;
 * - `receive` refuses (and writes nothing) when `from` is not the subscription's stored next position, so two
 *   writers can never both append the same events.
 */
export interface SubscriptionStates {
  /** The next producer public-stream position to receive (0 for a new subscription). */
  position(key: SubscriptionKey): Promise<StreamPosition>;
  receive(
    key: SubscriptionKey,
    from: StreamPosition,
    events: readonly ReceivedEvent[],
    options: { readonly consentId: ConsentId; readonly received: Date },
  ): Promise<readonly CommittedEvent[]>;
}
