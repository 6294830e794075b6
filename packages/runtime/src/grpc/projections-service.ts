import {
  type ArtifactId,
  type ExecutionContext as DomainExecutionContext,
  InvalidArgument,
  RegistrationFailed,
  type ScopeId,
  unspecifiedPartition,
} from '@dolittle-ts/fundamentals';
import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { KeySelector, ProjectionDefinition } from '../projections/projection-definition.js';
import { type ProjectionHead, runProjection } from '../projections/projection-processor.js';
import { promoteProjection, registerProjection } from '../projections/projection-registry.js';
import type { Tenant } from '../tenancy/tenants.js';
import { committedEventToPb } from './committed-events.js';
import {
  ProjectionCurrentState,
  ProjectionCurrentStateType,
  type ProjectionEventSelector,
  ProjectionRegistrationResponse,
  ProjectionRequest,
  StreamEvent,
} from './contracts.js';
import { artifactFromPb, guidToUuid, uuidToGuid, validateJsonContent } from './convert.js';
import type { ProcessingServiceDependencies } from './event-handlers-service.js';
import { processingResultOf, retryStateToPb } from './processor-failures.js';
import {
  acceptReverseCall,
  type ProjectionsReverseCall,
  projectionsProtocol,
  type ReverseCallConnection,
} from './reverse-calls/index.js';

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
  const { tenants, active, logger } = deps;
  const connection = await acceptReverseCall(call, projectionsProtocol, { logger, signal: deps.shutdown });
  if (connection === undefined) return;
  let definition: ProjectionDefinition;
  try {
    definition = readDefinition(connection);
  } catch (error) {
    connection.reject(error);
    return;
  }
  const release = active.claim(`projection/${definition.scope}/${definition.id}`);
  if (release === undefined) {
    connection.reject(
      new RegistrationFailed('projection', definition.id, 'it is already registered by a connected head'),
    );
    return;
  }
  const log = logger.child({ projection: definition.id, scope: definition.scope });
  try {
    let targets: { tenant: Tenant; generation: number; building: boolean }[];
    try {
      targets = [];
      for (const tenant of tenants.all())
        targets.push({ tenant, ...(await registerProjection(tenant.store, definition)) });
    } catch (error) {
      log.warn({ reason: (error as Error).message }, 'projection registration refused');
      connection.reject(error);
      return;
    }
    connection.accept(new ProjectionRegistrationResponse());
    log.info({ rebuilding: targets.some((t) => t.building) }, 'projection registered');
    const head = headProjection(connection, definition, deps.metrics);
    const runs = targets.map(async ({ tenant, generation, building }) => {
      let promoted = !building;
      try {
        await runProjection({
          store: tenant.store,
          definition,
          generation,
          head,
          watcher: tenant.watcher,
          context: { tenant: tenant.id, scope: definition.scope, partitioned: false, signal: connection.signal },
          logger: log,
          onCaughtUp: async () => {
            if (promoted) return;
            await promoteProjection(tenant.store, definition.scope, definition.id, generation);
            promoted = true;
            log.info({ tenant: tenant.id, generation }, 'projection rebuilt; readers now see the new read models');
          },
        });
      } catch (error) {
        if (connection.signal.aborted) return;
        log.error({ err: error, tenant: tenant.id }, 'projection stopped on an error; ending the connection');
        connection.end();
      }
    });
    const end = await connection.closed;
    await Promise.allSettled(runs);
    log.info({ end: end.kind }, 'projection disconnected');
  } finally {
    release();
  }
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
  const contexts = new Map<string, DomainExecutionContext>();
  const scope = guidToUuid(definition.scope);
  const partition = guidToUuid(unspecifiedPartition);
  return {
    async project(current, event, retry, context) {
      let executionContext = contexts.get(context.tenant);
      if (executionContext === undefined) {
        executionContext = { ...connection.executionContext, tenantId: context.tenant };
        contexts.set(context.tenant, executionContext);
      }
      const state = new ProjectionCurrentState();
      state.setType(
        current.type === 'initial'
          ? ProjectionCurrentStateType.CREATED_FROM_INITIAL_STATE
          : ProjectionCurrentStateType.PERSISTED,
      );
      state.setKey(current.key);
      state.setState(current.state);
      const streamEvent = new StreamEvent();
      streamEvent.setEvent(committedEventToPb(event));
      streamEvent.setPartitionid(partition);
      streamEvent.setScopeid(scope);
      streamEvent.setPartitioned(false);
      const request = new ProjectionRequest();
      request.setCurrentstate(state);
      request.setEvent(streamEvent);
      const retryState = retryStateToPb(retry);
      if (retryState !== undefined) request.setRetryprocessingstate(retryState);
      const started = performance.now();
      const response = await connection.call(request, executionContext, { signal: context.signal });
      const failure = processingResultOf(response.getFailure());
      metrics.processed('projection', context.tenant, failure.kind === 'failed', (performance.now() - started) / 1000);
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
      try {
        return { kind: 'replace', state: validateJsonContent(replace.getState(), 'replace.state') };
      } catch (error) {
        return { kind: 'failed', reason: (error as Error).message, retry: true, retryAfterMs: 5000 };
      }
    },
  };
}
