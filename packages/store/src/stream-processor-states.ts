import type { PartitionId, ScopeId, StreamId, StreamPosition } from '@dolittle-ts/fundamentals';

export interface FailingPartition {
  readonly position: StreamPosition;
  readonly reason: string;
  readonly attempts: number;
  /** When the partition is retried next; `undefined` means never (parked until reprocessed). */
  readonly retryAt: Date | undefined;
  readonly lastFailed: Date;
}

export type StreamProcessorState =
  | {
      readonly kind: 'unpartitioned';
      readonly position: StreamPosition;
      readonly failure:
        | { readonly reason: string; readonly attempts: number; readonly retryAt: Date | undefined }
        | undefined;
      readonly lastSuccessfullyProcessed: Date | undefined;
    }
  | {
      readonly kind: 'partitioned';
      readonly position: StreamPosition;
      readonly failingPartitions: ReadonlyMap<PartitionId, FailingPartition>;
      readonly lastSuccessfullyProcessed: Date | undefined;
    };

export interface StreamProcessorKey {
  readonly scope: ScopeId;
  readonly processorId: string;
  readonly sourceStream: StreamId;
}

export interface StreamProcessorStates {
  get(key: StreamProcessorKey): Promise<StreamProcessorState | undefined>;
  set(key: StreamProcessorKey, state: StreamProcessorState): Promise<void>;
  remove(key: StreamProcessorKey): Promise<void>;
}
