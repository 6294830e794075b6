import { type ArtifactId, InvalidArgument, type ScopeId } from '@dolittle-ts/fundamentals';
import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Registration } from '../processing/registration.js';
import type { KeySelector, ProjectionDefinition } from '../projections/projection-definition.js';
import type { ProjectionHead, ProjectionOutcome } from '../projections/projection-processor.js';
import { registerProjection } from '../projections/projection-registration.js';
import { type ProjectionEventSelector, ProjectionRegistrationResponse, projectionsService } from './contracts.js';
import { artifactFromPb, guidForLogs, uuidToGuid, validateJsonContent } from './convert.js';
import { type ProcessingServiceDependencies, runRegistration } from './event-handlers-service.js';
import { acceptingEncodedResponses } from './grpc-server.js';
import { headTenants } from './head-tenants.js';
import { processingResultOf } from './processor-failures.js';
import {
  acceptingDecodedResponses,
  acceptReverseCall,
  type ProjectionsReverseCall,
  projectionsProtocol,
  type ReverseCallConnection,
} from './reverse-calls/index.js';
import { encodeProjectionRequestMessage } from './wire/projection-request-encoder.js';
import { decodeProjectionAnswer, ProjectionAnswer } from './wire/projection-response-decoder.js';

/**
 * The Projections service definition: requests encoded beforehand (`callEncoded`) go out as their bytes, and the
 * head's replace and delete answers are read from their bytes (`ProjectionAnswer`).
 */
export const projectionsServiceDefinition = acceptingEncodedResponses(
  acceptingDecodedResponses(projectionsService, decodeProjectionAnswer),
);

/** `dolittle.runtime.events.processing.Projections/Connect`. */
export function createProjectionsService(deps: ProcessingServiceDependencies): UntypedServiceImplementation {
  return {
    connect(
      call: ServerDuplexStream<ProjectionsReverseCall['clientMessage'], ProjectionsReverseCall['serverMessage']>,
    ) {
      deps.active
        .track(serveProjection(call, deps))
        .catch((error: unknown) => deps.logger.error({ err: error }, 'projection connection failed'));
    },
  };
}

async function serveProjection(
  call: ServerDuplexStream<ProjectionsReverseCall['clientMessage'], ProjectionsReverseCall['serverMessage']>,
  deps: ProcessingServiceDependencies,
): Promise<void> {
  const connection = await acceptReverseCall(call, projectionsProtocol, { logger: deps.logger, signal: deps.shutdown });
  if (connection === undefined) return;
  let definition: ProjectionDefinition;
  let registration: Registration;
  try {
    definition = readDefinition(connection);
    registration = await registerProjection(deps, definition, headProjection(connection, definition, deps.metrics));
  } catch (error) {
    deps.logger.warn(
      { projection: guidForLogs(connection.arguments.getProjectionid()), reason: (error as Error).message },
      'projection registration refused',
    );
    connection.reject(error);
    return;
  }
  await runRegistration(
    connection,
    registration,
    deps.logger.child({ projection: definition.id, scope: definition.scope }),
    new ProjectionRegistrationResponse(),
  );
}

function readDefinition(connection: ReverseCallConnection<ProjectionsReverseCall>): ProjectionDefinition {
  const args = connection.arguments;
  const id = uuidToGuid(args.getProjectionid(), 'projectionId');
  return {
    scope: (args.hasScopeid()
      ? uuidToGuid(args.getScopeid(), 'scopeId')
      : '00000000-0000-0000-0000-000000000000') as string as ScopeId,
    id,
    selectors: args.getEventsList().map((selector, i) => ({
      type: artifactFromPb(selector.getEventtype(), `events[${i}].eventType`).id as ArtifactId,
      key: keySelectorOf(selector, `events[${i}]`),
    })),
    initialState: validateJsonContent(args.getInitialstate(), 'initialState'),
  };
}

function keySelectorOf(selector: ProjectionEventSelector, field: string): KeySelector {
  if (selector.hasEventsourcekeyselector()) return { kind: 'event-source' };
  if (selector.hasPartitionkeyselector()) return { kind: 'partition' };
  const property = selector.getEventpropertykeyselector();
  if (property !== undefined) {
    if (property.getPropertyname() === '')
      throw new InvalidArgument(`${field}.eventPropertyKeySelector.propertyName`, 'is empty');
    return { kind: 'property', property: property.getPropertyname() };
  }
  throw new InvalidArgument(
    `${field}.selector`,
    'is not set (expected an event source, partition or event property key selector)',
  );
}

function headProjection(
  connection: ReverseCallConnection<ProjectionsReverseCall>,
  definition: ProjectionDefinition,
  metrics: ProcessingServiceDependencies['metrics'],
): ProjectionHead {
  const tenantOf = headTenants(connection.executionContext, metrics, 'projection');
  return {
    async project(current, event, retry, context) {
      const tenant = tenantOf(context.tenant);
      const fields = { current, event, retry, scope: definition.scope };
      const started = performance.now();
      const response = await connection.callEncoded(
        (requestContext) => encodeProjectionRequestMessage(requestContext, fields),
        tenant.executionContext,
        { signal: context.signal },
      );
      if (response instanceof ProjectionAnswer) {
        tenant.recorder.record(false, (performance.now() - started) / 1000);
        return response.state === undefined ? { kind: 'delete' } : replaced(response.state);
      }
      const failure = processingResultOf(response.getFailure());
      tenant.recorder.record(failure.kind === 'failed', (performance.now() - started) / 1000);
      if (failure.kind === 'failed') return failure;
      if (response.hasDelete()) return { kind: 'delete' };
      const replace = response.getReplace();
      if (replace === undefined) {
        return {
          kind: 'failed',
          reason: 'the head answered neither replace nor delete',
          retry: true,
          retryAfterMs: 5000,
        };
      }
      return replaced(replace.getState());
    },
  };
}

/** A replace answer, or a failure (retried) when its state is not JSON. */
function replaced(state: string): ProjectionOutcome {
  try {
    return { kind: 'replace', state: validateJsonContent(state, 'replace.state') };
  } catch (error) {
    return { kind: 'failed', reason: (error as Error).message, retry: true, retryAfterMs: 5000 };
  }
}
