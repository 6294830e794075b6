import type { CorrelationId, MicroserviceId, PartitionId, ScopeId, StreamId, TenantId } from './ids.js';

/** The tenant used when no tenants are configured. */
export const developmentTenant = '445f8ea8-1a6f-40d7-b2fc-796dba92dc44' as TenantId;
/** The tenant the official SDK registers processors under. */
export const systemTenant = '08831584-e016-42f6-bc5e-c4f098fed42b' as TenantId;
export const systemCorrelationId = '868ff40f-a133-4d0f-bfdd-18d726181e01' as CorrelationId;
/** The microservice id of the Dolittle development image; ours when none is configured. */
export const developmentMicroservice = 'f39b1f61-d360-4675-b859-53c05c87c0e6' as MicroserviceId;
export const defaultScope = '00000000-0000-0000-0000-000000000000' as ScopeId;
export const eventLogStream = '00000000-0000-0000-0000-000000000000' as StreamId;
export const unspecifiedPartition = '00000000-0000-0000-0000-000000000000' as PartitionId;
