import type { PartitionId, ScopeId } from '@dolittle-ts/fundamentals';
import type { CommittedEvent } from '@dolittle-ts/store';
import type { RetryState } from '../../processing/processing-result.js';
import { writeCommittedEvent, writeUuid } from './committed-events-encoder.js';
import { ProtobufWriter } from './protobuf-writer.js';

/*
 * The EventHandlers reverse call's request, encoded straight to bytes (the per-event hot path of every event handler).
 * Field numbers of @dolittle/runtime.contracts 5.4.0:
 *   EventHandlerRuntimeToClientMessage { registrationResponse = 1; HandleEventRequest handleRequest = 2; ping = 3 }
 *   HandleEventRequest { ReverseCallRequestContext callContext = 1; StreamEvent event = 2;
 *                        RetryProcessingState retryProcessingState = 3 }
 *   StreamEvent { CommittedEvent event = 1; Uuid partitionId = 2; Uuid scopeId = 3; bool partitioned = 4 }
 *   RetryProcessingState { string failureReason = 1; uint32 retryCount = 2 }
 * event-handler-requests-encoder.test.ts decodes these bytes with the contract classes and compares them with the
 * messages the classes build.
 */

/** One event for a handler: the `StreamEvent` fields and, when the event is being retried, the retry state. */
export interface HandleEventRequestFields {
  readonly event: CommittedEvent;
  readonly partition: PartitionId;
  readonly scope: ScopeId;
  readonly partitioned: boolean;
  readonly retry: RetryState | undefined;
}

/** `EventHandlerRuntimeToClientMessage { handleRequest }` with `requestContext` (an encoded call context). */
export function encodeHandleEventRequestMessage(requestContext: Uint8Array, fields: HandleEventRequestFields): Buffer {
  const writer = new ProtobufWriter(512 + fields.event.content.length * 3);
  writer.message(2, (request) => {
    request.encoded(1, requestContext);
    request.message(2, (streamEvent) => {
      streamEvent.message(1, (event) => writeCommittedEvent(event, fields.event));
      writeUuid(streamEvent, 2, fields.partition);
      writeUuid(streamEvent, 3, fields.scope);
      streamEvent.bool(4, fields.partitioned);
    });
    const retry = fields.retry;
    if (retry !== undefined) {
      request.message(3, (state) => {
        state.string(1, retry.reason);
        state.uint(2, retry.retryCount);
      });
    }
  });
  return writer.finish();
}
