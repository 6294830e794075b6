import type { PartitionId, ScopeId, TenantId } from '@dolittle-ts/fundamentals';
import type { CommittedEvent, StreamEvent } from '@dolittle-ts/store';

/** How a head (or the Runtime itself) answered for one event. Expected outcomes are values, not exceptions. */
export type ProcessingResult =
  | { readonly kind: 'succeeded' }
  | {
      readonly kind: 'failed';
      readonly reason: string;
      /** false: never retry; the processor (or partition) stays parked until reprocessed. */
      readonly retry: boolean;
      readonly retryAfterMs: number;
    };

export type FilterResult =
  | { readonly kind: 'included'; readonly partition: PartitionId }
  | { readonly kind: 'excluded' }
  | Extract<ProcessingResult, { kind: 'failed' }>;

/** Sent with a retried event: why it failed last time, and how many retries came before this one. */
export interface RetryState {
  readonly reason: string;
  readonly retryCount: number;
}

export interface ProcessingContext {
  readonly tenant: TenantId;
  readonly scope: ScopeId;
  readonly partitioned: boolean;
  /** Aborted when the head disconnects or the Runtime stops; the call should then give up. */
  readonly signal: AbortSignal;
}

/**
 * Processes one event of a stream. A rejected promise means the head is gone (not a processing failure): the
 * processor then stops without recording anything and resumes from its persisted state on reconnect.
 */
export interface EventProcessor {
  process(event: StreamEvent, retry: RetryState | undefined, context: ProcessingContext): Promise<ProcessingResult>;
}

/** Decides whether an event of the event log goes into the filter's stream, and in which partition. */
export interface EventFilter {
  filter(
    event: CommittedEvent,
    retry: RetryState | undefined,
    context: ProcessingContext,
  ): Promise<FilterResult> | FilterResult;
}
