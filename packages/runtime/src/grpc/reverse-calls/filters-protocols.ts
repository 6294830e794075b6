import {
  type FilterClientToRuntimeMessage,
  type FilterEventRequest,
  type FilterRegistrationRequest,
  FilterRegistrationResponse,
  type FilterResponse,
  FilterRuntimeToClientMessage,
  type PartitionedFilterClientToRuntimeMessage,
  type PartitionedFilterRegistrationRequest,
  type PartitionedFilterResponse,
  Ping,
  type PublicFilterClientToRuntimeMessage,
  type PublicFilterRegistrationRequest,
} from '../contracts.js';
import type { ReverseCallProtocol } from './reverse-call-protocol.js';

/** `Filters/Connect`: an unpartitioned private filter. */
export interface FiltersReverseCall {
  readonly clientMessage: FilterClientToRuntimeMessage;
  readonly serverMessage: FilterRuntimeToClientMessage;
  readonly arguments: FilterRegistrationRequest;
  readonly connectResponse: FilterRegistrationResponse;
  readonly request: FilterEventRequest;
  readonly response: FilterResponse;
}

/** `Filters/ConnectPartitioned`: a partitioned private filter. */
export interface PartitionedFiltersReverseCall {
  readonly clientMessage: PartitionedFilterClientToRuntimeMessage;
  readonly serverMessage: FilterRuntimeToClientMessage;
  readonly arguments: PartitionedFilterRegistrationRequest;
  readonly connectResponse: FilterRegistrationResponse;
  readonly request: FilterEventRequest;
  readonly response: PartitionedFilterResponse;
}

/** `Filters/ConnectPublic`: a public filter (partitioned responses, default scope). */
export interface PublicFiltersReverseCall {
  readonly clientMessage: PublicFilterClientToRuntimeMessage;
  readonly serverMessage: FilterRuntimeToClientMessage;
  readonly arguments: PublicFilterRegistrationRequest;
  readonly connectResponse: FilterRegistrationResponse;
  readonly request: FilterEventRequest;
  readonly response: PartitionedFilterResponse;
}

/** The three client envelopes have the same arms with the same field numbers. */
const arms: Record<number, string> = { 1: 'registrationRequest', 2: 'filterResult', 3: 'pong' };

const server = {
  connectResponse: (response: FilterRegistrationResponse) =>
    new FilterRuntimeToClientMessage().setRegistrationresponse(response),
  failedConnectResponse: (failure: Parameters<FilterRegistrationResponse['setFailure']>[0]) =>
    new FilterRuntimeToClientMessage().setRegistrationresponse(new FilterRegistrationResponse().setFailure(failure)),
  request: (request: FilterEventRequest, context: Parameters<FilterEventRequest['setCallcontext']>[0]) =>
    new FilterRuntimeToClientMessage().setFilterrequest(request.setCallcontext(context)),
  ping: () => new FilterRuntimeToClientMessage().setPing(new Ping()),
};

/** The three filter services share arms, call contexts and the server envelope; only their names differ. */
function filterProtocol<T extends FiltersReverseCall | PartitionedFiltersReverseCall | PublicFiltersReverseCall>(
  method: string,
): ReverseCallProtocol<T> {
  return {
    method,
    argumentsField: 'registrationRequest',
    armOf: (message) => arms[message.getMessageCase()] ?? 'nothing',
    argumentsOf: (message) => message.getRegistrationrequest() as T['arguments'] | undefined,
    argumentsContextOf: (args) => args.getCallcontext(),
    responseOf: (message) => message.getFilterresult() as T['response'] | undefined,
    responseContextOf: (response) => response.getCallcontext(),
    isPong: (message) => message.hasPong(),
    ...server,
  };
}

export const filtersProtocol = filterProtocol<FiltersReverseCall>('Filters.Connect');
export const partitionedFiltersProtocol = filterProtocol<PartitionedFiltersReverseCall>('Filters.ConnectPartitioned');
export const publicFiltersProtocol = filterProtocol<PublicFiltersReverseCall>('Filters.ConnectPublic');
