import { unspecifiedPartition } from '@dolittle-ts/fundamentals';
import type { CommittedEvent } from '@dolittle-ts/store';
import type { RetryState } from '../../processing/processing-result.js';
import type { ProjectionCurrentState } from '../../projections/projection-processor.js';
import { writeCommittedEvent, writeUuid } from './committed-events-encoder.js';
import { ProtobufWriter } from './protobuf-writer.js';

/*
 * The Projections reverse call's request, encoded straight to bytes (the per-event hot path of every projection).
 * Field numbers of @dolittle/runtime.contracts 5.4.0:
 *   ProjectionRuntimeToClientMessage { registrationResponse = 1; ProjectionRequest handleRequest = 2; ping = 3 }
 *   ProjectionRequest { ReverseCallRequestContext callContext = 1; ProjectionCurrentState currentState = 2;
 *                       StreamEvent event = 3; RetryProcessingState retryProcessingState = 4 }
 *   ProjectionCurrentState { ProjectionCurrentStateType type = 1 (CREATED_FROM_INITIAL_STATE = 0, PERSISTED = 1);
 *                            string key = 2; string state = 3 }
 *   StreamEvent { CommittedEvent event = 1; Uuid partitionId = 2; Uuid scopeId = 3; bool partitioned = 4 }
 *   RetryProcessingState { string failureReason = 1; uint32 retryCount = 2 }
 * Fields in number order, proto3 defaults left out: the bytes equal the generated serializer's, which
 * projection-request-encoder.test.ts checks for many random requests.
 */

/** What a `ProjectionRequest` carries besides its call context. */
export interface ProjectionRequestFields {
  readonly current: ProjectionCurrentState;
  readonly event: CommittedEvent;
  /** The projection's scope: the stream event's `scopeId`. */
  readonly scope: string;
  readonly retry: RetryState | undefined;
}

/**
 * `ProjectionRuntimeToClientMessage { handleRequest }` with `requestContext` (an encoded `ReverseCallRequestContext`).
 * Projections read the unpartitioned event log: the partition is the unspecified one, `partitioned` false.
 */
export function encodeProjectionRequestMessage(requestContext: Uint8Array, fields: ProjectionRequestFields): Buffer {
  const { current, event, retry } = fields;
  const writer = new ProtobufWriter(
    512 + requestContext.length + 3 * (event.content.length + current.state.length + current.key.length),
  );
  writer.message(2, (request) => {
    request.encoded(1, requestContext);
    request.message(2, (state) => {
      state.uint(1, current.type === 'initial' ? 0 : 1);
      state.string(2, current.key);
      state.string(3, current.state);
    });
    request.message(3, (streamEvent) => {
      streamEvent.message(1, (committed) => writeCommittedEvent(committed, event));
      writeUuid(streamEvent, 2, unspecifiedPartition);
      writeUuid(streamEvent, 3, fields.scope);
    });
    if (retry !== undefined) {
      request.message(4, (state) => {
        state.string(1, retry.reason);
        state.uint(2, retry.retryCount);
      });
    }
  });
  return writer.finish();
}
