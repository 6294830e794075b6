import type { CorrelationId, MicroserviceId, TenantId } from './ids.js';

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly build: number;
  readonly preRelease: string;
}

export interface Claim {
  readonly key: string;
  readonly value: string;
  readonly valueType: string;
}

/** Who did something, for which tenant, as part of which correlated flow. Stored with every event. */
export interface ExecutionContext {
  readonly microserviceId: MicroserviceId;
  readonly tenantId: TenantId;
  readonly version: Version;
  readonly correlationId: CorrelationId;
  readonly claims: readonly Claim[];
  readonly environment: string;
}

export const notSetVersion: Version = { major: 0, minor: 0, patch: 0, build: 0, preRelease: '' };
