import type { ExecutionContext as DomainExecutionContext } from '@dolittle-ts/fundamentals';
import type { CommittedEvent as DomainCommittedEvent } from '@dolittle-ts/store';
import { CommittedEvent, type ExecutionContext } from './contracts.js';
import { artifactToPb, executionContextToPb, guidToUuid, timestampToPb } from './convert.js';

/**
 * Execution contexts repeat across events (a commit's events share one; adapters hand back one object per distinct
 * context of a read), so each is encoded once.
 */
const encodedContexts = new WeakMap<DomainExecutionContext, ExecutionContext>();

export function executionContextToPbCached(context: DomainExecutionContext): ExecutionContext {
  let encoded = encodedContexts.get(context);
  if (encoded === undefined) {
    encoded = executionContextToPb(context);
    encodedContexts.set(context, encoded);
  }
  return encoded;
}

export function committedEventToPb(event: DomainCommittedEvent, context?: ExecutionContext): CommittedEvent {
  const pb = new CommittedEvent();
  pb.setEventlogsequencenumber(event.sequenceNumber);
  pb.setOccurred(timestampToPb(event.occurred));
  pb.setEventsourceid(guidToUuid(event.eventSourceId));
  pb.setExecutioncontext(context ?? executionContextToPbCached(event.executionContext));
  pb.setType(artifactToPb(event.type));
  pb.setPublic(event.public);
  pb.setContent(event.content);
  if (event.external !== undefined) {
    pb.setExternal(true);
    pb.setExternaleventlogsequencenumber(event.external.sequenceNumber);
    pb.setExternaleventreceived(timestampToPb(event.external.received));
  }
  return pb;
}
