import type {
  MicroserviceId,
  PartitionId,
  ScopeId,
  StreamId,
  StreamPosition,
  TenantId,
} from '@dolittle-ts/fundamentals';

export interface SubscriptionKey {
  readonly producerMicroservice: MicroserviceId;
  readonly producerTenant: TenantId;
  readonly stream: StreamId;
  readonly partition: PartitionId;
  readonly scope: ScopeId;
}

/** Event-horizon subscription positions: the next producer public-stream position to receive. */
export interface SubscriptionStates {
  get(key: SubscriptionKey): Promise<StreamPosition | undefined>;
  set(key: SubscriptionKey, next: StreamPosition): Promise<void>;
}
