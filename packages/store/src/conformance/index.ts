export * from './builders.js';
export { awkwardContents, hostileStrings, megabyteDocument } from './event-store/round-trip.js';
export { eventStoreConformance } from './event-store-conformance.js';
export * from './harness.js';
