/*
 * Protobuf ↔ domain conversions, with validation: every malformed field becomes an InvalidArgument that names
 * the field path, so a client learns exactly what was wrong.
 */
import {
  type Artifact as DomainArtifact,
  type ExecutionContext as DomainExecutionContext,
  type Guid,
  guidFromBytes,
  guidToBytes,
  InvalidArgument,
} from '@dolittle-ts/fundamentals';
import { Artifact, Claim, ExecutionContext, Timestamp, Uuid, Version } from './contracts.js';

export function uuidToGuid(uuid: Uuid | undefined, field: string): Guid {
  if (uuid === undefined) throw new InvalidArgument(field, 'is missing');
  const bytes = uuid.getValue_asU8();
  const guid = guidFromBytes(bytes);
  if (guid === undefined) throw new InvalidArgument(field, `must be 16 bytes, was ${bytes.length}`);
  return guid;
}

export function guidToUuid(guid: Guid | string): Uuid {
  const uuid = new Uuid();
  uuid.setValue(guidToBytes(guid as Guid));
  return uuid;
}

export function artifactFromPb(artifact: Artifact | undefined, field: string): DomainArtifact {
  if (artifact === undefined) throw new InvalidArgument(field, 'is missing');
  return {
    id: uuidToGuid(artifact.getId(), `${field}.id`) as string as DomainArtifact['id'],
    generation: artifact.getGeneration(),
  };
}

export function artifactToPb(artifact: DomainArtifact): Artifact {
  const pb = new Artifact();
  pb.setId(guidToUuid(artifact.id));
  pb.setGeneration(artifact.generation);
  return pb;
}

export function executionContextFromPb(context: ExecutionContext | undefined, field: string): DomainExecutionContext {
  if (context === undefined) throw new InvalidArgument(field, 'is missing');
  const version = context.getVersion();
  return {
    microserviceId: uuidToGuid(
      context.getMicroserviceid(),
      `${field}.microserviceId`,
    ) as string as DomainExecutionContext['microserviceId'],
    tenantId: uuidToGuid(context.getTenantid(), `${field}.tenantId`) as string as DomainExecutionContext['tenantId'],
    version:
      version === undefined
        ? { major: 0, minor: 0, patch: 0, build: 0, preRelease: '' }
        : {
            major: version.getMajor(),
            minor: version.getMinor(),
            patch: version.getPatch(),
            build: version.getBuild(),
            preRelease: version.getPrereleasestring(),
          },
    correlationId: uuidToGuid(
      context.getCorrelationid(),
      `${field}.correlationId`,
    ) as string as DomainExecutionContext['correlationId'],
    claims: context.getClaimsList().map((c) => ({ key: c.getKey(), value: c.getValue(), valueType: c.getValuetype() })),
    environment: context.getEnvironment(),
  };
}

export function executionContextToPb(context: DomainExecutionContext): ExecutionContext {
  const pb = new ExecutionContext();
  pb.setMicroserviceid(guidToUuid(context.microserviceId));
  pb.setTenantid(guidToUuid(context.tenantId));
  const version = new Version();
  version.setMajor(context.version.major);
  version.setMinor(context.version.minor);
  version.setPatch(context.version.patch);
  version.setBuild(context.version.build);
  version.setPrereleasestring(context.version.preRelease);
  pb.setVersion(version);
  pb.setCorrelationid(guidToUuid(context.correlationId));
  pb.setClaimsList(
    context.claims.map((c) => {
      const claim = new Claim();
      claim.setKey(c.key);
      claim.setValue(c.value);
      claim.setValuetype(c.valueType);
      return claim;
    }),
  );
  pb.setEnvironment(context.environment);
  return pb;
}

export function timestampToPb(date: Date): Timestamp {
  const pb = new Timestamp();
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  pb.setSeconds(seconds);
  pb.setNanos((ms - seconds * 1000) * 1_000_000);
  return pb;
}

/** Content must be a JSON document: Dolittle stores it as a document and read models parse it. */
export function validateJsonContent(content: string, field: string): string {
  try {
    JSON.parse(content);
  } catch (error) {
    throw new InvalidArgument(field, `is not valid JSON (${(error as Error).message})`);
  }
  return content;
}

/** An id for log lines: the GUID, or what was wrong with it. Never throws. */
export function guidForLogs(uuid: Uuid | undefined): string {
  if (uuid === undefined) return '(missing)';
  return guidFromBytes(uuid.getValue_asU8()) ?? `(${uuid.getValue_asU8().length} bytes, not a GUID)`;
}
