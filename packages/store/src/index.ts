export * from './definitions.js';
export * from './events.js';
export * from './read-model-states.js';
export * from './stream-processor-state-codec.js';
export * from './stream-processor-states.js';
export * from './streams.js';
export * from './subscription-states.js';
export * from './tenant-store.js';
