import { InvalidArgument } from '@dolittle-ts/fundamentals';
import type { ServerUnaryCall, sendUnaryData, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { readAllEmbeddings, readEmbedding } from '../embeddings/embedding-readers.js';
import type { Tenant, Tenants } from '../tenancy/tenants.js';
import {
  type CallRequestContext,
  type EmbeddingGetAllRequest,
  EmbeddingGetAllResponse,
  type EmbeddingGetKeysRequest,
  EmbeddingGetKeysResponse,
  type EmbeddingGetOneRequest,
  EmbeddingGetOneResponse,
  ProjectionCurrentState,
  ProjectionCurrentStateType,
} from './contracts.js';
import { executionContextFromPb, uuidToGuid } from './convert.js';
import { failureOf } from './failures.js';

/**
 * `dolittle.runtime.embeddings.EmbeddingStore`: reads a tenant's embedding read models, whether or not a head is
 * connected. Removed (deleted) read models are neither listed nor returned: GetOne answers the initial state for
 * them, as for a key that never had one.
 */
export function createEmbeddingStoreService(deps: { tenants: Tenants; logger: Logger }): UntypedServiceImplementation {
  const resolve = (callContext: CallRequestContext | undefined, embeddingUuid: Parameters<typeof uuidToGuid>[0]) => {
    if (callContext === undefined) throw new InvalidArgument('callContext', 'is missing');
    const context = executionContextFromPb(callContext.getExecutioncontext(), 'callContext.executionContext');
    const tenant: Tenant = deps.tenants.get(context.tenantId);
    const embeddingId = uuidToGuid(embeddingUuid, 'embeddingId');
    return { tenant, embeddingId };
  };
  const answer = <R extends { setFailure(f: ReturnType<typeof failureOf>): unknown }>(
    method: string,
    response: R,
    callback: sendUnaryData<R>,
    work: () => Promise<void>,
  ) => {
    Promise.resolve()
      .then(work)
      .then(() => callback(null, response))
      .catch((error: unknown) => {
        deps.logger.debug({ reason: String(error) }, `EmbeddingStore.${method} failed`);
        response.setFailure(failureOf(error));
        callback(null, response);
      });
  };
  return {
    getOne(
      call: ServerUnaryCall<EmbeddingGetOneRequest, EmbeddingGetOneResponse>,
      callback: sendUnaryData<EmbeddingGetOneResponse>,
    ) {
      const request = call.request;
      const response = new EmbeddingGetOneResponse();
      answer('GetOne', response, callback, async () => {
        const { tenant, embeddingId } = resolve(request.getCallcontext(), request.getEmbeddingid());
        const { key, state, type } = await readEmbedding(tenant.store, tenant.id, embeddingId, request.getKey());
        response.setState(
          currentState(
            type === 'initial'
              ? ProjectionCurrentStateType.CREATED_FROM_INITIAL_STATE
              : ProjectionCurrentStateType.PERSISTED,
            key,
            state,
          ),
        );
      });
    },
    getKeys(
      call: ServerUnaryCall<EmbeddingGetKeysRequest, EmbeddingGetKeysResponse>,
      callback: sendUnaryData<EmbeddingGetKeysResponse>,
    ) {
      const request = call.request;
      const response = new EmbeddingGetKeysResponse();
      answer('GetKeys', response, callback, async () => {
        const { tenant, embeddingId } = resolve(request.getCallcontext(), request.getEmbeddingid());
        response.setKeysList((await readAllEmbeddings(tenant.store, embeddingId)).map((readModel) => readModel.key));
      });
    },
    getAll(
      call: ServerUnaryCall<EmbeddingGetAllRequest, EmbeddingGetAllResponse>,
      callback: sendUnaryData<EmbeddingGetAllResponse>,
    ) {
      const request = call.request;
      const response = new EmbeddingGetAllResponse();
      answer('GetAll', response, callback, async () => {
        const { tenant, embeddingId } = resolve(request.getCallcontext(), request.getEmbeddingid());
        response.setStatesList(
          (await readAllEmbeddings(tenant.store, embeddingId)).map(({ key, state }) =>
            currentState(ProjectionCurrentStateType.PERSISTED, key, state),
          ),
        );
      });
    },
  };
}

function currentState(type: number, key: string, state: string): ProjectionCurrentState {
  const pb = new ProjectionCurrentState();
  pb.setType(type as never);
  pb.setKey(key);
  pb.setState(state);
  return pb;
}
