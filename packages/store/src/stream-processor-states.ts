import type { PartitionId, ScopeId, StreamId, StreamPosition } from '@dolittle-ts/fundamentals';

export interface ProcessingFailure {
  readonly reason: string;
  /** How many times processing was tried and failed (≥ 1). The head sees `retryCount = attempts − 1`. */
  readonly attempts: number;
  /** When to try again; `undefined` means never (parked until reprocessed). */
  readonly retryAt: Date | undefined;
  readonly lastFailed: Date;
}

export interface FailingPartition extends ProcessingFailure {
  /** The position of the event that failed (and where the partition's catch-up starts). */
  readonly position: StreamPosition;
}

export type StreamProcessorState =
  | {
      readonly kind: 'unpartitioned';
      /** The next position to process. */
      readonly position: StreamPosition;
      /** Set while the processor is halted at `position`. */
      readonly failure: ProcessingFailure | undefined;
      readonly lastSuccessfullyProcessed: Date | undefined;
    }
  | {
      readonly kind: 'partitioned';
      /** The next position to process (events of failing partitions before it are caught up separately). */
      readonly position: StreamPosition;
      readonly failingPartitions: ReadonlyMap<PartitionId, FailingPartition>;
      readonly lastSuccessfullyProcessed: Date | undefined;
    };

/** A stream processor is identified by its scope, its id (filter or event processor id) and its source stream. */
export interface StreamProcessorKey {
  readonly scope: ScopeId;
  readonly processorId: string;
  readonly sourceStream: StreamId;
}

/**
 * Persisted stream processor states. `set` is durable when it resolves. Failure states (failing partitions, retry
 * times) round-trip exactly (ms precision), so a restart keeps the retry schedule.
 */
export interface StreamProcessorStates {
  get(key: StreamProcessorKey): Promise<StreamProcessorState | undefined>;
  set(key: StreamProcessorKey, state: StreamProcessorState): Promise<void>;
  remove(key: StreamProcessorKey): Promise<void>;
  /** Every state, for management and the operator console. */
  all(): Promise<readonly { readonly key: StreamProcessorKey; readonly state: StreamProcessorState }[]>;
}
