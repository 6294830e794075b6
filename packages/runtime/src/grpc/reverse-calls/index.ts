export {
  type AcceptReverseCallOptions,
  acceptReverseCall,
  type ReverseCallConnection,
  type ReverseCallObserver,
  type ReverseCallOptions,
} from './accept-reverse-call.js';
export {
  acceptingDecodedResponses,
  acceptingSucceededResponses,
  DecodedResponse,
  succeededResponseCallId,
} from './decoded-responses.js';
export { type EmbeddingsReverseCall, embeddingsProtocol } from './embeddings-protocol.js';
export {
  type EventHandlersReverseCall,
  eventHandlersProtocol,
  eventHandlersResponseArm,
} from './event-handlers-protocol.js';
export { type EventHorizonReverseCall, eventHorizonProtocol } from './event-horizon-protocol.js';
export {
  type FiltersReverseCall,
  filtersProtocol,
  type PartitionedFiltersReverseCall,
  type PublicFiltersReverseCall,
  partitionedFiltersProtocol,
  publicFiltersProtocol,
} from './filters-protocols.js';
export { type ProjectionsReverseCall, projectionsProtocol } from './projections-protocol.js';
export { pingIntervalLimits, type ReverseCallArguments, readReverseCallArguments } from './reverse-call-arguments.js';
export { describeEnd, type ReverseCallEnd, ReverseCallEnded } from './reverse-call-end.js';
export type { ReverseCallProtocol, ReverseCallTypes } from './reverse-call-protocol.js';
