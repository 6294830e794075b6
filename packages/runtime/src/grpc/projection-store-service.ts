import { type Guid, InvalidArgument, type ScopeId } from '@dolittle-ts/fundamentals';
import type { ServerUnaryCall, sendUnaryData, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { type ReadModel, readAllProjections, readProjection } from '../projections/projection-readers.js';
import type { Tenant, Tenants } from '../tenancy/tenants.js';
import {
  type CallRequestContext,
  type GetAllRequest,
  GetAllResponse,
  type GetOneRequest,
  GetOneResponse,
  ProjectionCurrentState,
  ProjectionCurrentStateType,
} from './contracts.js';
import { executionContextFromPb, uuidToGuid } from './convert.js';
import { failureOf } from './failures.js';

/** `dolittle.runtime.projections.Projections`: GetOne and GetAll over the generation readers see. */
export function createProjectionStoreService(deps: { tenants: Tenants; logger: Logger }): UntypedServiceImplementation {
  const resolve = (
    callContext: CallRequestContext | undefined,
    scopeUuid: Parameters<typeof uuidToGuid>[0],
    projectionUuid: Parameters<typeof uuidToGuid>[0],
  ) => {
    if (callContext === undefined) throw new InvalidArgument('callContext', 'is missing');
    const context = executionContextFromPb(callContext.getExecutioncontext(), 'callContext.executionContext');
    const tenant: Tenant = deps.tenants.get(context.tenantId);
    const scope = (scopeUuid === undefined
      ? '00000000-0000-0000-0000-000000000000'
      : uuidToGuid(scopeUuid, 'scopeId')) as string as ScopeId;
    const projectionId: Guid = uuidToGuid(projectionUuid, 'projectionId');
    return { store: tenant.store, scope, projectionId };
  };
  const currentState = ({ key, state, type }: ReadModel) => {
    const pb = new ProjectionCurrentState();
    pb.setType(
      type === 'initial' ? ProjectionCurrentStateType.CREATED_FROM_INITIAL_STATE : ProjectionCurrentStateType.PERSISTED,
    );
    pb.setKey(key);
    pb.setState(state);
    return pb;
  };
  return {
    getOne(call: ServerUnaryCall<GetOneRequest, GetOneResponse>, callback: sendUnaryData<GetOneResponse>) {
      const response = new GetOneResponse();
      const request = call.request;
      Promise.resolve()
        .then(() => resolve(request.getCallcontext(), request.getScopeid(), request.getProjectionid()))
        .then(({ store, scope, projectionId }) => readProjection(store, scope, projectionId, request.getKey()))
        .then((readModel) => {
          response.setState(currentState(readModel));
          callback(null, response);
        })
        .catch((error: unknown) => {
          deps.logger.debug({ reason: String(error) }, 'Projections.GetOne failed');
          response.setFailure(failureOf(error));
          callback(null, response);
        });
    },
    getAll(call: ServerUnaryCall<GetAllRequest, GetAllResponse>, callback: sendUnaryData<GetAllResponse>) {
      const response = new GetAllResponse();
      const request = call.request;
      Promise.resolve()
        .then(() => resolve(request.getCallcontext(), request.getScopeid(), request.getProjectionid()))
        .then(({ store, scope, projectionId }) => readAllProjections(store, scope, projectionId))
        .then((readModels) => {
          response.setStatesList(readModels.map(currentState));
          callback(null, response);
        })
        .catch((error: unknown) => {
          deps.logger.debug({ reason: String(error) }, 'Projections.GetAll failed');
          response.setFailure(failureOf(error));
          callback(null, response);
        });
    },
  };
}
