import {
  FailedToDeleteEmbedding,
  FailedToUpdateEmbedding,
  type Guid,
  InvalidArgument,
  NoEmbeddingRegisteredForTenant,
} from '@dolittle-ts/fundamentals';
import type { ServerDuplexStream, ServerUnaryCall, sendUnaryData, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { EmbeddingDefinition } from '../embeddings/embedding-definition.js';
import type { EmbeddingProcessors } from '../embeddings/embedding-processors.js';
import { registerEmbeddingForTenants } from '../embeddings/embedding-registration.js';
import type { Registration } from '../processing/registration.js';
import type { Tenant } from '../tenancy/tenants.js';
import {
  type CallRequestContext,
  type DeleteRequest,
  DeleteResponse,
  EmbeddingRegistrationResponse,
  ProjectionCurrentState,
  ProjectionCurrentStateType,
  type UpdateRequest,
  UpdateResponse,
} from './contracts.js';
import { artifactFromPb, executionContextFromPb, guidForLogs, uuidToGuid, validateJsonContent } from './convert.js';
import { createEmbeddingHead } from './embeddings-head.js';
import { type ProcessingServiceDependencies, runRegistration } from './event-handlers-service.js';
import { failureOf, mappingOf, otherFailureId } from './failures.js';
import {
  acceptReverseCall,
  type EmbeddingsReverseCall,
  embeddingsProtocol,
  type ReverseCallConnection,
} from './reverse-calls/index.js';

export interface EmbeddingsServiceOptions {
  /** Passed to every embedding processor; for tests. */
  readonly pollFallbackMs?: number;
}

/**
 * `dolittle.runtime.embeddings.Embeddings`: a head registers an embedding (Connect) and the Runtime runs a processor
 * for it per configured tenant; Update and Delete hand a key's desired state to the caller's tenant's processor.
 */
export function createEmbeddingsService(
  deps: ProcessingServiceDependencies & { readonly embeddings: EmbeddingProcessors },
  options: EmbeddingsServiceOptions = {},
): UntypedServiceImplementation {
  const processors = deps.embeddings;
  const { tenants, logger } = deps;

  /** Answers a failure inside the response, where the official SDK reads it. */
  function fail<R extends { setFailure(f: ReturnType<typeof failureOf>): unknown }>(
    method: string,
    response: R,
    error: unknown,
    callback: sendUnaryData<R>,
  ): void {
    const mapping = mappingOf(error);
    if (mapping.failureId === otherFailureId) logger.error({ err: error, method }, 'unexpected failure');
    else logger.debug({ method, reason: mapping.reason }, 'request failed');
    response.setFailure(failureOf(error));
    callback(null, response);
  }

  function resolve(callContext: CallRequestContext | undefined, embeddingUuid: Parameters<typeof uuidToGuid>[0]) {
    if (callContext === undefined) throw new InvalidArgument('callContext', 'is missing');
    const context = executionContextFromPb(callContext.getExecutioncontext(), 'callContext.executionContext');
    const tenant: Tenant = tenants.get(context.tenantId);
    const embeddingId = uuidToGuid(embeddingUuid, 'embeddingId');
    const processor = processors.get(tenant.id, embeddingId);
    if (processor === undefined) throw new NoEmbeddingRegisteredForTenant({ embeddingId, tenantId: tenant.id });
    return { context, tenant, embeddingId, processor };
  }

  return {
    connect(call: ServerDuplexStream<EmbeddingsReverseCall['clientMessage'], EmbeddingsReverseCall['serverMessage']>) {
      deps.active
        .track(serveEmbedding(call, deps, processors, options))
        .catch((error: unknown) => logger.error({ err: error }, 'embedding connection failed'));
    },

    update(call: ServerUnaryCall<UpdateRequest, UpdateResponse>, callback: sendUnaryData<UpdateResponse>) {
      const response = new UpdateResponse();
      const request = call.request;
      let target: ReturnType<typeof resolve>;
      let desired: string;
      try {
        target = resolve(request.getCallcontext(), request.getEmbeddingid());
        desired = validateJsonContent(request.getState(), 'state');
      } catch (error) {
        fail('Update', response, error, callback);
        return;
      }
      const { context, tenant, embeddingId, processor } = target;
      const key = request.getKey();
      processor
        .update(key, desired, context)
        .then((outcome) => {
          if (!outcome.ok) {
            fail(
              'Update',
              response,
              new FailedToUpdateEmbedding({ embeddingId, tenantId: tenant.id, key, reason: outcome.reason }),
              callback,
            );
            return;
          }
          const state = new ProjectionCurrentState();
          state.setType(ProjectionCurrentStateType.PERSISTED);
          state.setKey(key);
          state.setState(outcome.state);
          response.setState(state);
          callback(null, response);
        })
        .catch((error: unknown) => fail('Update', response, error, callback));
    },

    delete(call: ServerUnaryCall<DeleteRequest, DeleteResponse>, callback: sendUnaryData<DeleteResponse>) {
      const response = new DeleteResponse();
      const request = call.request;
      let target: ReturnType<typeof resolve>;
      try {
        target = resolve(request.getCallcontext(), request.getEmbeddingid());
      } catch (error) {
        fail('Delete', response, error, callback);
        return;
      }
      const { context, tenant, embeddingId, processor } = target;
      const key = request.getKey();
      processor
        .delete(key, context)
        .then((outcome) => {
          if (!outcome.ok) {
            fail(
              'Delete',
              response,
              new FailedToDeleteEmbedding({ embeddingId, tenantId: tenant.id, key, reason: outcome.reason }),
              callback,
            );
            return;
          }
          callback(null, response);
        })
        .catch((error: unknown) => fail('Delete', response, error, callback));
    },
  };
}

async function serveEmbedding(
  call: ServerDuplexStream<EmbeddingsReverseCall['clientMessage'], EmbeddingsReverseCall['serverMessage']>,
  deps: ProcessingServiceDependencies,
  processors: EmbeddingProcessors,
  options: EmbeddingsServiceOptions,
): Promise<void> {
  const connection = await acceptReverseCall(call, embeddingsProtocol, { logger: deps.logger, signal: deps.shutdown });
  if (connection === undefined) return;
  let definition: EmbeddingDefinition;
  let registration: Registration;
  try {
    definition = readDefinition(connection);
    registration = await registerEmbeddingForTenants(
      deps,
      processors,
      definition,
      createEmbeddingHead(connection, deps.metrics),
      connection.executionContext,
      options,
    );
  } catch (error) {
    deps.logger.warn(
      { embedding: guidForLogs(connection.arguments.getEmbeddingid()), reason: (error as Error).message },
      'embedding registration refused',
    );
    connection.reject(error);
    return;
  }
  await runRegistration(
    connection,
    registration,
    deps.logger.child({ embedding: definition.id }),
    new EmbeddingRegistrationResponse(),
  );
}

function readDefinition(connection: ReverseCallConnection<EmbeddingsReverseCall>): EmbeddingDefinition {
  const args = connection.arguments;
  const id: Guid = uuidToGuid(args.getEmbeddingid(), 'embeddingId');
  return {
    id,
    events: args.getEventsList().map((artifact, i) => artifactFromPb(artifact, `events[${i}]`)),
    initialState: validateJsonContent(args.getInitialstate(), 'initialState'),
  };
}
