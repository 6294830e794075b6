export * from '../grpc/contracts.js';
export { guidToUuid, uuidToGuid } from '../grpc/convert.js';
export * from './runtime-fixture.js';
