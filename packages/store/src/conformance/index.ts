export * from './builders.js';
export { definitionsConformance } from './definitions-conformance.js';
export { awkwardContents, hostileStrings, megabyteDocument, richExecutionContext } from './event-store/round-trip.js';
export { eventStoreConformance } from './event-store-conformance.js';
export * from './harness.js';
export * from './processing-builders.js';
export { streamProcessorStatesConformance } from './stream-processor-states-conformance.js';
export { streamsConformance } from './streams-conformance.js';
