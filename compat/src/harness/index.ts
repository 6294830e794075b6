export * from './postgres-database';
export * from './runtime-process';
export * from './store-targets';
export * from './tenants-config';
