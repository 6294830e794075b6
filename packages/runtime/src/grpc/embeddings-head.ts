import type { EmbeddingEvent, EmbeddingHead, HeadAnswer } from '../embeddings/embedding-head.js';
import type { EmbeddingCurrentState } from '../embeddings/embedding-state.js';
import type { RuntimeMetrics } from '../metrics/metrics.js';
import {
  EmbeddingCompareRequest,
  EmbeddingDeleteRequest,
  EmbeddingProjectRequest,
  EmbeddingRequest,
  type EmbeddingResponse,
  ProjectionCurrentState,
  ProjectionCurrentStateType,
  UncommittedEvent,
} from './contracts.js';
import { artifactFromPb, artifactToPb, guidToUuid, validateJsonContent } from './convert.js';
import type { EmbeddingsReverseCall, ReverseCallConnection } from './reverse-calls/index.js';

const ResponseCase: Record<number, string> = {
  0: 'nothing',
  2: 'compare',
  3: 'delete',
  4: 'projectionReplace',
  5: 'projectionDelete',
};

/**
 * The embedding head behind a registered `Embeddings.Connect` call: domain calls as `EmbeddingRequest`s, each counted
 * in the processing metrics (kind `embedding`; failed when the head answered with a failure).
 */
export function createEmbeddingHead(
  connection: ReverseCallConnection<EmbeddingsReverseCall>,
  metrics: RuntimeMetrics,
): EmbeddingHead {
  const call = async (request: EmbeddingRequest, context: Parameters<EmbeddingHead['compare']>[2]) => {
    const recorder = metrics.processing.recorder('embedding', context.executionContext.tenantId);
    const started = performance.now();
    const response = await connection.call(request, context.executionContext, { signal: context.signal });
    recorder.record(response.hasFailure(), (performance.now() - started) / 1000);
    return response;
  };
  return {
    async compare(current, desired, context) {
      const compare = new EmbeddingCompareRequest();
      compare.setProjectionstate(currentStateToPb(current));
      compare.setEntitystate(desired);
      const response = await call(new EmbeddingRequest().setCompare(compare), context);
      return eventsOf(response, 'compare', response.getCompare()?.getEventsList());
    },
    async delete(current, context) {
      const remove = new EmbeddingDeleteRequest();
      remove.setProjectionstate(currentStateToPb(current));
      const response = await call(new EmbeddingRequest().setDelete(remove), context);
      return eventsOf(response, 'delete', response.getDelete()?.getEventsList());
    },
    async project(current, event, context) {
      const uncommitted = new UncommittedEvent();
      uncommitted.setArtifact(artifactToPb(event.type));
      uncommitted.setEventsourceid(guidToUuid(event.eventSourceId));
      uncommitted.setPublic(event.public);
      uncommitted.setContent(event.content);
      const project = new EmbeddingProjectRequest();
      project.setCurrentstate(currentStateToPb(current));
      project.setEvent(uncommitted);
      const response = await call(new EmbeddingRequest().setProjection(project), context);
      const failure = failureOf(response);
      if (failure !== undefined) return failure;
      if (response.hasProjectiondelete()) return { ok: true, value: { kind: 'delete' } };
      const replace = response.getProjectionreplace();
      if (replace === undefined) return unexpected(response, 'projectionReplace or projectionDelete');
      try {
        return { ok: true, value: { kind: 'replace', state: validateJsonContent(replace.getState(), 'state') } };
      } catch (error) {
        return { ok: false, reason: `the head answered a projection with a state that ${(error as Error).message}` };
      }
    },
  };
}

/** Deleted and never-created read models both reach the head as the initial state (Dolittle does the same). */
function currentStateToPb(current: EmbeddingCurrentState): ProjectionCurrentState {
  const pb = new ProjectionCurrentState();
  pb.setType(
    current.type === 'persisted'
      ? ProjectionCurrentStateType.PERSISTED
      : ProjectionCurrentStateType.CREATED_FROM_INITIAL_STATE,
  );
  pb.setKey(current.key);
  pb.setState(current.state);
  return pb;
}

/** Either failure arm of the response (`processorFailure` or `failure`) means the head failed. */
function failureOf(response: EmbeddingResponse): { ok: false; reason: string } | undefined {
  const processorFailure = response.getProcessorfailure();
  if (processorFailure !== undefined) return { ok: false, reason: processorFailure.getReason() || 'no reason given' };
  const failure = response.getFailure();
  if (failure !== undefined) return { ok: false, reason: failure.getReason() || 'no reason given' };
  return undefined;
}

function unexpected(response: EmbeddingResponse, expected: string): { ok: false; reason: string } {
  return {
    ok: false,
    reason: `the head answered ${ResponseCase[response.getResponseCase()] ?? 'something unknown'} where ${expected} was expected`,
  };
}

function eventsOf(
  response: EmbeddingResponse,
  expected: 'compare' | 'delete',
  events: ReturnType<NonNullable<ReturnType<EmbeddingResponse['getCompare']>>['getEventsList']> | undefined,
): HeadAnswer<readonly EmbeddingEvent[]> {
  const failure = failureOf(response);
  if (failure !== undefined) return failure;
  if (events === undefined) return unexpected(response, expected);
  try {
    return {
      ok: true,
      value: events.map((event, i) => ({
        type: artifactFromPb(event.getArtifact(), `${expected}.events[${i}].artifact`),
        public: event.getPublic(),
        content: validateJsonContent(event.getContent(), `${expected}.events[${i}].content`),
      })),
    };
  } catch (error) {
    return { ok: false, reason: `the head returned an event that cannot be committed: ${(error as Error).message}` };
  }
}
