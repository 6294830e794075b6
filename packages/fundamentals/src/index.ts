export * from './artifact.js';
export * from './errors.js';
export * from './execution-context.js';
export * from './guid-bytes.js';
export * from './ids.js';
export * from './well-known.js';
