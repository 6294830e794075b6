import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecutionContext as DomainExecutionContext } from '@dolittle-ts/fundamentals';
import fc from 'fast-check';
import {
  Artifact,
  CallRequestContext,
  Claim,
  CommitEventsRequest,
  ExecutionContext,
  UncommittedEvent,
  Uuid,
  Version,
} from '../contracts.js';
import { artifactFromPb, executionContextFromPb, uuidToGuid } from '../convert.js';
import { validMutatedOrRandom } from './bytes-for-tests.js';
import { DecodedCommit, decodeCommitRequest } from './commit-request-decoder.js';
import { executionContextBytes } from './committed-events-encoder.js';

interface ContextInput {
  readonly microserviceId: Uint8Array;
  readonly tenantId: Uint8Array;
  readonly version: readonly [number, number, number, number, string] | undefined;
  readonly correlationId: Uint8Array;
  readonly claims: readonly (readonly [string, string, string])[];
  readonly environment: string;
}

interface EventInput {
  readonly typeId: Uint8Array;
  readonly generation: number;
  readonly eventSourceId: Uint8Array;
  readonly public: boolean;
  readonly content: string;
}

const uuidBytes = fc.uint8Array({ minLength: 16, maxLength: 16 });

const contexts: fc.Arbitrary<ContextInput> = fc.record({
  microserviceId: uuidBytes,
  tenantId: uuidBytes,
  version: fc.option(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.string()), { nil: undefined }),
  correlationId: uuidBytes,
  claims: fc.array(fc.tuple(fc.string(), fc.string({ unit: 'grapheme' }), fc.string()), { maxLength: 3 }),
  environment: fc.string(),
});

const events: fc.Arbitrary<EventInput> = fc.record({
  typeId: uuidBytes,
  generation: fc.nat(),
  eventSourceId: uuidBytes,
  public: fc.boolean(),
  content: fc.string({ unit: 'grapheme' }),
});

function contextPb(c: ContextInput): ExecutionContext {
  const pb = new ExecutionContext();
  pb.setMicroserviceid(new Uuid().setValue(c.microserviceId));
  pb.setTenantid(new Uuid().setValue(c.tenantId));
  if (c.version !== undefined) {
    const [major, minor, patch, build, preRelease] = c.version;
    pb.setVersion(
      new Version().setMajor(major).setMinor(minor).setPatch(patch).setBuild(build).setPrereleasestring(preRelease),
    );
  }
  pb.setCorrelationid(new Uuid().setValue(c.correlationId));
  pb.setClaimsList(c.claims.map(([key, value, type]) => new Claim().setKey(key).setValue(value).setValuetype(type)));
  pb.setEnvironment(c.environment);
  return pb;
}

function encode(context: ContextInput, list: readonly EventInput[], headId?: Uint8Array): Uint8Array {
  const callContext = new CallRequestContext().setExecutioncontext(contextPb(context));
  if (headId !== undefined) callContext.setHeadid(new Uuid().setValue(headId));
  const request = new CommitEventsRequest().setCallcontext(callContext);
  request.setEventsList(
    list.map((e) =>
      new UncommittedEvent()
        .setArtifact(new Artifact().setId(new Uuid().setValue(e.typeId)).setGeneration(e.generation))
        .setEventsourceid(new Uuid().setValue(e.eventSourceId))
        .setPublic(e.public)
        .setContent(e.content),
    ),
  );
  return request.serializeBinary();
}

/** What the service makes of the request through the contract classes. */
function reference(bytes: Uint8Array) {
  const request = CommitEventsRequest.deserializeBinary(bytes);
  return {
    executionContext: executionContextFromPb(
      request.getCallcontext()?.getExecutioncontext(),
      'callContext.executionContext',
    ),
    events: request.getEventsList().map((event, i) => ({
      eventSourceId: uuidToGuid(event.getEventsourceid(), `events[${i}].eventSourceId`),
      type: artifactFromPb(event.getArtifact(), `events[${i}].artifact`),
      public: event.getPublic(),
      content: event.getContent(),
    })),
  };
}

const sample: { readonly context: ContextInput; readonly event: EventInput } = {
  context: {
    microserviceId: crypto.getRandomValues(new Uint8Array(16)),
    tenantId: crypto.getRandomValues(new Uint8Array(16)),
    version: [1, 2, 3, 4, 'beta'],
    correlationId: crypto.getRandomValues(new Uint8Array(16)),
    claims: [['role', 'chef', 'string']],
    environment: 'Development',
  },
  event: {
    typeId: crypto.getRandomValues(new Uint8Array(16)),
    generation: 1,
    eventSourceId: crypto.getRandomValues(new Uint8Array(16)),
    public: false,
    content: '{"dish":"Bean Blaster Taco"}',
  },
};

describe('decodeCommitRequest', () => {
  it('reads what the contract classes encode, as the service reads it through them', () => {
    fc.assert(
      fc.property(contexts, fc.array(events, { maxLength: 4 }), fc.option(uuidBytes), (context, list, headId) => {
        const bytes = encode(context, list, headId ?? undefined);
        const decoded = decodeCommitRequest(bytes);
        assert.ok(decoded instanceof DecodedCommit);
        const expected = reference(bytes);
        assert.deepEqual(decoded.executionContext, expected.executionContext);
        assert.deepEqual(decoded.events, expected.events);
      }),
      { numRuns: 300 },
    );
  });

  it('gives every commit carrying the same execution context the same context object', () => {
    const first = decodeCommitRequest(encode(sample.context, [sample.event]));
    const second = decodeCommitRequest(encode(sample.context, [sample.event, sample.event]));
    assert.ok(first !== undefined && second !== undefined);
    assert.equal(first.executionContext, second.executionContext);
    const other = decodeCommitRequest(
      encode({ ...sample.context, correlationId: crypto.getRandomValues(new Uint8Array(16)) }, [sample.event]),
    );
    assert.notEqual(other?.executionContext, first.executionContext);
  });

  it('reads a commit of no events (the committer answers it with NoEventsToCommit)', () => {
    assert.deepEqual(decodeCommitRequest(encode(sample.context, []))?.events, []);
  });

  it('leaves every request it does not read exactly to the contract classes', () => {
    const valid = encode(sample.context, [sample.event]);
    const short = { ...sample.event, eventSourceId: sample.event.eventSourceId.subarray(1) };
    const others: [string, Uint8Array][] = [
      ['no call context', new CommitEventsRequest().serializeBinary()],
      ['no execution context', new CommitEventsRequest().setCallcontext(new CallRequestContext()).serializeBinary()],
      ['a 15-byte event source id', encode(sample.context, [short])],
      ['a 15-byte tenant id', encode({ ...sample.context, tenantId: sample.context.tenantId.subarray(1) }, [])],
      ['an event without an artifact', withEventMissingArtifact()],
      ['a trailing unknown field', Buffer.concat([valid, Buffer.from([0x18, 0x01])])],
      ['truncated', valid.subarray(0, valid.length - 1)],
      ['empty', new Uint8Array()],
    ];
    for (const [what, bytes] of others) assert.equal(decodeCommitRequest(bytes), undefined, what);
  });

  it('never disagrees with the contract classes on any bytes it accepts', () => {
    const valid = fc
      .tuple(contexts, fc.array(events, { maxLength: 2 }))
      .map(([context, list]) => encode(context, list));
    fc.assert(
      fc.property(validMutatedOrRandom(valid, 96), (bytes) => {
        const decoded = decodeCommitRequest(bytes);
        if (decoded === undefined) return;
        const expected = reference(bytes);
        assert.deepEqual(decoded.executionContext, expected.executionContext);
        assert.deepEqual(decoded.events, expected.events);
      }),
      { numRuns: 3000 },
    );
  });
});

function withEventMissingArtifact(): Uint8Array {
  const request = CommitEventsRequest.deserializeBinary(encode(sample.context, [sample.event]));
  request.getEventsList()[0]?.clearArtifact();
  return request.serializeBinary();
}

describe('executionContextBytes', () => {
  it('writes the bytes the contract classes write, for any execution context', () => {
    const versions = fc.record({
      major: fc.integer({ min: -5, max: 2 ** 31 - 1 }),
      minor: fc.nat(),
      patch: fc.nat(),
      build: fc.nat(),
      preRelease: fc.string(),
    });
    fc.assert(
      fc.property(contexts, versions, (c, version) => {
        const context: DomainExecutionContext = {
          ...executionContextFromPb(contextPb(c), 'context'),
          version,
        };
        const pb = contextPb(c).setVersion(
          new Version()
            .setMajor(version.major)
            .setMinor(version.minor)
            .setPatch(version.patch)
            .setBuild(version.build)
            .setPrereleasestring(version.preRelease),
        );
        assert.deepEqual(Buffer.from(executionContextBytes(context)), Buffer.from(pb.serializeBinary()));
      }),
      { numRuns: 300 },
    );
  });
});
