export * from './outside-promise-continuation';
export * from './sdk-client';
