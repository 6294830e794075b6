import type { ArtifactId, ScopeId } from '@dolittle-ts/fundamentals';
import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { RuntimeMetrics } from '../metrics/metrics.js';
import type { ActiveProcessors } from '../processing/active-processors.js';
import { type EventHandlerDefinition, registerEventHandler } from '../processing/event-handler.js';
import type { EventProcessor } from '../processing/processing-result.js';
import type { Registration } from '../processing/registration.js';
import type { Tenants } from '../tenancy/tenants.js';
import {
  type EventHandlerClientToRuntimeMessage,
  EventHandlerRegistrationResponse,
  EventHandlerResponse,
  type EventHandlerRuntimeToClientMessage,
  eventHandlersService,
} from './contracts.js';
import { artifactFromPb, guidForLogs, uuidToGuid } from './convert.js';
import { acceptingEncodedResponses } from './grpc-server.js';
import { headTenants } from './head-tenants.js';
import { processingResultOf } from './processor-failures.js';
import {
  acceptingSucceededResponses,
  acceptReverseCall,
  type EventHandlersReverseCall,
  eventHandlersProtocol,
  eventHandlersResponseArm,
  type ReverseCallConnection,
} from './reverse-calls/index.js';
import { encodeHandleEventRequestMessage } from './wire/event-handler-requests-encoder.js';

export interface ProcessingServiceDependencies {
  readonly tenants: Tenants;
  readonly active: ActiveProcessors;
  readonly logger: Logger;
  /** Aborted when the Runtime shuts down. */
  readonly shutdown: AbortSignal;
  readonly partitionsInFlight: number;
  readonly metrics: RuntimeMetrics;
}

/**
 * The EventHandlers service definition the Runtime serves with `createEventHandlersService`: requests are encoded
 * by hand (written as bytes) and successful responses are recognised from their bytes (`acceptingSucceededResponses`).
 */
export const eventHandlersServiceDefinition = acceptingEncodedResponses(
  acceptingSucceededResponses(eventHandlersService, eventHandlersResponseArm, new EventHandlerResponse()),
);

/**
 * `dolittle.runtime.events.processing.EventHandlers/Connect`: a head registers an event handler; the Runtime runs,
 * for every configured tenant, a type filter into the stream `eventHandlerId` and a processor calling the head.
 */
export function createEventHandlersService(deps: ProcessingServiceDependencies): UntypedServiceImplementation {
  return {
    connect(call: ServerDuplexStream<EventHandlerClientToRuntimeMessage, EventHandlerRuntimeToClientMessage>) {
      deps.active
        .track(serveEventHandler(call, deps))
        .catch((error: unknown) => deps.logger.error({ err: error }, 'event handler connection failed'));
    },
  };
}

async function serveEventHandler(
  call: ServerDuplexStream<EventHandlerClientToRuntimeMessage, EventHandlerRuntimeToClientMessage>,
  deps: ProcessingServiceDependencies,
): Promise<void> {
  const connection = await acceptReverseCall(call, eventHandlersProtocol, {
    logger: deps.logger,
    signal: deps.shutdown,
  });
  if (connection === undefined) return;
  let registration: Registration;
  let definition: EventHandlerDefinition;
  try {
    definition = readDefinition(connection);
    registration = await registerEventHandler(deps, definition, headProcessor(connection, definition, deps.metrics));
  } catch (error) {
    deps.logger.warn(
      { eventHandler: guidForLogs(connection.arguments.getEventhandlerid()), reason: (error as Error).message },
      'event handler registration refused',
    );
    connection.reject(error);
    return;
  }
  await runRegistration(
    connection,
    registration,
    deps.logger.child({ eventHandler: definition.id, scope: definition.scope }),
  );
}

/**
 * Accepts the head's registration, runs the processor while the head stays connected, and ends the call if
 * processing fails (the head reconnects and processing resumes from the persisted state).
 */
export async function runRegistration(
  connection: {
    accept(response: never): void;
    end(): void;
    readonly signal: AbortSignal;
    readonly closed: Promise<{ kind: string }>;
  },
  registration: Registration,
  log: ProcessingServiceDependencies['logger'],
  response: unknown = new EventHandlerRegistrationResponse(),
): Promise<void> {
  connection.accept(response as never);
  log.info('registered');
  try {
    await registration.run(connection.signal);
  } catch (error) {
    log.error({ reason: (error as Error).message }, 'processing stopped; ending the connection');
    connection.end();
  }
  const end = await connection.closed;
  log.info({ end: end.kind }, 'disconnected');
}

function readDefinition(connection: ReverseCallConnection<EventHandlersReverseCall>): EventHandlerDefinition {
  const args = connection.arguments;
  return {
    scope: (args.hasScopeid()
      ? uuidToGuid(args.getScopeid(), 'scopeId')
      : '00000000-0000-0000-0000-000000000000') as string as ScopeId,
    id: uuidToGuid(args.getEventhandlerid(), 'eventHandlerId'),
    types: args.getTypesList().map((type, i) => artifactFromPb(type, `types[${i}]`).id as ArtifactId),
    partitioned: args.getPartitioned(),
  };
}

function headProcessor(
  connection: ReverseCallConnection<EventHandlersReverseCall>,
  definition: EventHandlerDefinition,
  metrics: RuntimeMetrics,
): EventProcessor {
  const tenantOf = headTenants(connection.executionContext, metrics, 'event-handler');
  const { scope, partitioned } = definition;
  return {
    async process(event, retry, context) {
      const tenant = tenantOf(context.tenant);
      const fields = { event: event.event, partition: event.partition, scope, partitioned, retry };
      const started = performance.now();
      const response = await connection.callEncoded(
        (requestContext) => encodeHandleEventRequestMessage(requestContext, fields),
        tenant.executionContext,
        { signal: context.signal },
      );
      const result = processingResultOf(response.getFailure());
      tenant.recorder.record(result.kind === 'failed', (performance.now() - started) / 1000);
      return result;
    },
  };
}
