export type { RuntimeConfig, StoreConfig, TenantConfig } from './config/runtime-config.js';
export { type BoundEndpoint, type RunningRuntime, type StartOptions, startRuntime } from './server.js';
