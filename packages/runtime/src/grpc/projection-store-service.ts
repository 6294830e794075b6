import { type Guid, InvalidArgument, type ScopeId } from '@dolittle-ts/fundamentals';
import type { ServerUnaryCall, sendUnaryData, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { readModelSet, readProjectionRecord } from '../projections/projection-registry.js';
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
  const resolve = async (
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
    const record = await readProjectionRecord(tenant.store, scope, projectionId);
    if (record === undefined) {
      throw new InvalidArgument(
        'projectionId',
        `no projection ${projectionId} in scope ${scope} has been registered for tenant ${tenant.id}`,
      );
    }
    return {
      set: readModelSet(scope, projectionId, record.active.generation),
      initialState: record.active.shape.initialState,
      readModels: tenant.store.projections,
    };
  };
  const currentState = (type: number, key: string, state: string) => {
    const pb = new ProjectionCurrentState();
    pb.setType(type as never);
    pb.setKey(key);
    pb.setState(state);
    return pb;
  };
  return {
    getOne(call: ServerUnaryCall<GetOneRequest, GetOneResponse>, callback: sendUnaryData<GetOneResponse>) {
      const response = new GetOneResponse();
      const request = call.request;
      resolve(request.getCallcontext(), request.getScopeid(), request.getProjectionid())
        .then(async ({ set, initialState, readModels }) => {
          const key = request.getKey();
          const stored = await readModels.get(set, key);
          response.setState(
            stored === undefined
              ? currentState(ProjectionCurrentStateType.CREATED_FROM_INITIAL_STATE, key, initialState)
              : currentState(ProjectionCurrentStateType.PERSISTED, key, stored),
          );
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
      resolve(request.getCallcontext(), request.getScopeid(), request.getProjectionid())
        .then(async ({ set, readModels }) => {
          const all = await readModels.getAll(set);
          response.setStatesList(
            [...all].map(([key, state]) => currentState(ProjectionCurrentStateType.PERSISTED, key, state)),
          );
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
