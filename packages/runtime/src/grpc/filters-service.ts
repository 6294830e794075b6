import { type PartitionId, type ScopeId, unspecifiedPartition } from '@dolittle-ts/fundamentals';
import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { type FilterDefinition, filterKeys, registerFilter } from '../processing/filter.js';
import type { EventFilter, FilterResult } from '../processing/processing-result.js';
import type { Registration } from '../processing/registration.js';
import { committedEventToPb } from './committed-events.js';
import {
  FilterEventRequest,
  FilterRegistrationResponse,
  type FilterResponse,
  type PartitionedFilterResponse,
} from './contracts.js';
import { guidForLogs, guidToUuid, uuidToGuid } from './convert.js';
import { type ProcessingServiceDependencies, runRegistration } from './event-handlers-service.js';
import { headTenants } from './head-tenants.js';
import { processingResultOf, retryStateToPb } from './processor-failures.js';
import {
  acceptReverseCall,
  type FiltersReverseCall,
  filtersProtocol,
  type PartitionedFiltersReverseCall,
  type PublicFiltersReverseCall,
  partitionedFiltersProtocol,
  publicFiltersProtocol,
  type ReverseCallConnection,
  type ReverseCallProtocol,
} from './reverse-calls/index.js';

type AnyFilterCall = FiltersReverseCall | PartitionedFiltersReverseCall | PublicFiltersReverseCall;

/** `dolittle.runtime.events.processing.Filters`: Connect (private), ConnectPartitioned, ConnectPublic. */
export function createFiltersService(deps: ProcessingServiceDependencies): UntypedServiceImplementation {
  const serve =
    <T extends AnyFilterCall>(protocol: ReverseCallProtocol<T>, kind: FilterDefinition['kind']) =>
    (call: ServerDuplexStream<T['clientMessage'], T['serverMessage']>) => {
      deps.active
        .track(serveFilter(call, protocol, kind, deps))
        .catch((error: unknown) => deps.logger.error({ err: error }, 'filter connection failed'));
    };
  return {
    connect: serve(filtersProtocol, 'unpartitioned'),
    connectPartitioned: serve(partitionedFiltersProtocol, 'partitioned'),
    connectPublic: serve(publicFiltersProtocol, 'public'),
  };
}

async function serveFilter<T extends AnyFilterCall>(
  call: ServerDuplexStream<T['clientMessage'], T['serverMessage']>,
  protocol: ReverseCallProtocol<T>,
  kind: FilterDefinition['kind'],
  deps: ProcessingServiceDependencies,
): Promise<void> {
  const connection = await acceptReverseCall(call, protocol, { logger: deps.logger, signal: deps.shutdown });
  if (connection === undefined) return;
  let definition: FilterDefinition;
  let registration: Registration;
  try {
    const args = connection.arguments as T['arguments'] & {
      getFilterid(): ReturnType<FiltersReverseCall['arguments']['getFilterid']>;
    };
    const scope =
      'getScopeid' in args && typeof args.getScopeid === 'function' && args.getScopeid() !== undefined
        ? uuidToGuid(args.getScopeid(), 'scopeId')
        : '00000000-0000-0000-0000-000000000000';
    definition = { scope: scope as string as ScopeId, id: uuidToGuid(args.getFilterid(), 'filterId'), kind };
    const filter = headFilter(connection as unknown as ReverseCallConnection<AnyFilterCall>, definition, deps.metrics);
    registration = await registerFilter(deps, definition, filter);
  } catch (error) {
    deps.logger.warn(
      { filter: guidForLogs(connection.arguments.getFilterid()), reason: (error as Error).message },
      'filter registration refused',
    );
    connection.reject(error);
    return;
  }
  await runRegistration(
    connection,
    registration,
    deps.logger.child({ filter: definition.id, scope: filterKeys(definition).target.scope, kind }),
    new FilterRegistrationResponse(),
  );
}

function headFilter(
  connection: ReverseCallConnection<AnyFilterCall>,
  definition: FilterDefinition,
  metrics: ProcessingServiceDependencies['metrics'],
): EventFilter {
  const tenantOf = headTenants(connection.executionContext, metrics, 'filter');
  const scope = guidToUuid(filterKeys(definition).target.scope);
  return {
    async filter(event, retry, context): Promise<FilterResult> {
      const tenant = tenantOf(context.tenant);
      const request = new FilterEventRequest();
      request.setEvent(committedEventToPb(event));
      request.setScopeid(scope);
      const retryState = retryStateToPb(retry);
      if (retryState !== undefined) request.setRetryprocessingstate(retryState);
      const started = performance.now();
      const response = (await connection.call(request, tenant.executionContext, { signal: context.signal })) as
        | FilterResponse
        | PartitionedFilterResponse;
      const result = processingResultOf(response.getFailure());
      tenant.recorder.record(result.kind === 'failed', (performance.now() - started) / 1000);
      if (result.kind === 'failed') return result;
      if (!response.getIsincluded()) return { kind: 'excluded' };
      const partition =
        definition.kind !== 'unpartitioned' && 'getPartitionid' in response && response.getPartitionid() !== undefined
          ? (uuidToGuid(response.getPartitionid(), 'filterResult.partitionId') as string as PartitionId)
          : unspecifiedPartition;
      return { kind: 'included', partition };
    },
  };
}
