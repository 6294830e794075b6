export * from '../grpc/contracts.js';
export { guidToUuid, uuidToGuid } from '../grpc/convert.js';
export * from './event-handler-head.js';
export * from './runtime-fixture.js';
