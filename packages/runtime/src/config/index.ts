export * from './config-files.js';
export { formatKeyPath, parseConfig } from './config-schema.js';
export { postgresUrlProblem, tenantSchema } from './event-store-config.js';
export {
  defaults as runtimeDefaults,
  type ResolveRuntimeConfigInput,
  resolveRuntimeConfig,
} from './resolve-runtime-config.js';
export * from './runtime-config.js';
export * from './runtime-settings.js';
