import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  asCorrelationId,
  asMicroserviceId,
  asTenantId,
  createGuid,
  defaultScope,
  type ExecutionContext,
  notSetVersion,
} from '@dolittle-ts/fundamentals';
import type { Commit, CommittedEvent } from '../../index.js';
import {
  aggregateCommit,
  buildAggregateEvent,
  buildEvent,
  buildExecutionContext,
  committedEvents,
  eventsCommit,
  expectedCommittedEvents,
  newAggregate,
  newArtifact,
  readAll,
} from '../builders.js';
import type { ConformanceFixture } from '../harness.js';

/** JSON documents whose exact text a store must keep: no re-serialising, no normalising. */
export const awkwardContents: readonly string[] = [
  '{}',
  '{"b":1,"a":2,"c":{"z":0,"y":[3,2,1]}}',
  '{ "spaced" :\t[ 1 , 2 ]\r\n,"tail":  true }\n',
  '{"big":12345678901234567890,"precise":1.00000000000000000001,"exp":1E+400,"negZero":-0,"small":5e-324}',
  '{"escaped":"\\u0000 \\n \\t \\" \\\\ \\/ \\ud83d\\ude00 \\u00e6"}',
  '{"unicode":"æøå ÆØÅ 日本語 עברית e\u0301 🎉 𝄞 👩‍👩‍👧‍👦","ключ":"значение"}',
  '{"separators":"\u2028 \u2029"}',
  '[1,"two",null,true,false,{"x":[]}]',
  '"just a string"',
  'null',
  '42',
  `${'['.repeat(200)}${']'.repeat(200)}`,
];

/** Strings that break SQL built by concatenation; stored through bound parameters they are just text. */
export const hostileStrings: readonly string[] = [
  "'; DROP TABLE events; --",
  '"; DROP TABLE events; --',
  "' OR '1'='1",
  "Robert'); DROP TABLE aggregates;--",
  "' || (SELECT sqlite_version()) || '",
  "'; SELECT pg_sleep(0); --",
  '$1 $2 ? ?1 :name @name $name',
  '%_ \\% \\_ LIKE',
  '$$; DROP TABLE events; $$ $tag$ x $tag$',
  "\\' \\\" \\\\ E'\\x41'",
  '`backticks` [brackets] /* comment */ -- line',
  '\u0001\u001f\u007f \r\n\t \uFFFD \uFEFF',
  'NULL',
  '',
];

/** A document of at least 1 MiB, mixing 1-, 2-, 3- and 4-byte UTF-8 characters. */
export function megabyteDocument(): string {
  const unit = 'abcdefghij æøå 日本 🎉𝄞 \\"quoted\\" ';
  const body = unit.repeat(Math.ceil((1024 * 1024) / Buffer.byteLength(unit)) + 1);
  return `{"size":"1MiB","body":"${body}"}`;
}

/** An execution context with every field set, unusual values included. */
export function richExecutionContext(environment: string): ExecutionContext {
  return buildExecutionContext({
    microserviceId: asMicroserviceId(createGuid()),
    tenantId: asTenantId(createGuid()),
    version: { major: 7, minor: 0, patch: 12, build: 345, preRelease: 'rc.1+build.5' },
    correlationId: asCorrelationId(createGuid()),
    claims: [
      { key: 'sub', value: '8d2b7c1e', valueType: 'string' },
      { key: 'roles', value: '["admin","owner"]', valueType: 'json' },
      { key: 'name', value: 'Ærlig Øystein 🎉', valueType: '' },
      { key: '', value: '', valueType: '' },
    ],
    environment,
  });
}

export function roundTripCases(fixture: ConformanceFixture): void {
  const occurred = new Date('2024-02-29T23:59:59.987Z');

  /** Commits each content once as a plain event and once through an aggregate; checks all three read paths. */
  async function assertContentsKept(contents: readonly string[]): Promise<void> {
    const { events } = await fixture.freshStore();
    const a = newAggregate();
    const outcomes = await events.commit(
      [
        eventsCommit(contents.map((content) => buildEvent({ content }))),
        aggregateCommit({
          ...a,
          expectedVersion: 0,
          events: contents.map((content) => buildAggregateEvent({ content })),
        }),
      ],
      { occurred },
    );
    const plain = committedEvents(outcomes[0]);
    const aggregated = committedEvents(outcomes[1]);
    const logged = await readAll(events, defaultScope, 7);
    const fetched = (await events.fetchForAggregate(a.aggregateRootId, a.eventSourceId)).events;
    for (const [i, content] of contents.entries()) {
      const what = `content #${i} (${content.length} chars)`;
      assert.equal(plain[i]?.content, content, `${what}: commit outcome`);
      assert.equal(aggregated[i]?.content, content, `${what}: aggregate commit outcome`);
      assert.equal(logged[i]?.content, content, `${what}: read`);
      assert.equal(logged[contents.length + i]?.content, content, `${what}: read of the aggregate event`);
      assert.equal(fetched[i]?.content, content, `${what}: fetchForAggregate`);
    }
  }

  describe('round trip', () => {
    it('keeps content byte-exact: unicode, whitespace, key order, big numbers, escapes', async () => {
      await assertContentsKept(awkwardContents);
    });

    it('keeps a 1 MiB document byte-exact', async () => {
      const document = megabyteDocument();
      assert.ok(Buffer.byteLength(document) >= 1024 * 1024);
      await assertContentsKept([document, '{}']);
    });

    it('returns every field as committed, the same from the outcome, read and fetchForAggregate', async () => {
      const { events } = await fixture.freshStore();
      const a = newAggregate();
      const second = new Date('2031-12-31T23:59:59.001Z');
      const batches: { commits: Commit[]; occurred: Date }[] = [
        {
          occurred,
          commits: [
            eventsCommit(
              [
                buildEvent({ type: newArtifact(0), public: true, content: '{"first":1}' }),
                buildEvent({ type: newArtifact(4294967295), public: false, content: '{"second":2}' }),
              ],
              richExecutionContext('Production'),
            ),
            aggregateCommit({
              ...a,
              expectedVersion: 0,
              events: [
                buildAggregateEvent({ type: newArtifact(1), public: true, content: '{"third":3}' }),
                buildAggregateEvent({ type: newArtifact(2147483647), public: false, content: '{"fourth":4}' }),
              ],
              executionContext: richExecutionContext('Staging'),
            }),
          ],
        },
        {
          occurred: second,
          commits: [
            aggregateCommit({
              ...a,
              expectedVersion: 2,
              events: 1,
              executionContext: buildExecutionContext({ claims: [], version: notSetVersion, environment: '' }),
            }),
            eventsCommit(1),
          ],
        },
      ];

      const committed: CommittedEvent[] = [];
      for (const batch of batches) {
        const outcomes = await events.commit(batch.commits, { occurred: batch.occurred });
        for (const [i, commit] of batch.commits.entries()) {
          const expected = expectedCommittedEvents(commit, committed.length, batch.occurred);
          const actual = committedEvents(outcomes[i]);
          assert.deepEqual(actual, expected);
          committed.push(...actual);
        }
      }

      assert.deepEqual(await readAll(events, defaultScope, 2), committed);
      const fetched = await events.fetchForAggregate(a.aggregateRootId, a.eventSourceId);
      assert.deepEqual(fetched, {
        version: 3,
        events: committed.filter((e) => e.aggregate?.rootId === a.aggregateRootId),
      });
    });

    it('stores hostile strings in content, claims and execution context verbatim', async () => {
      const { events } = await fixture.freshStore();
      const a = newAggregate();
      const executionContext = buildExecutionContext({
        claims: hostileStrings.map((s, i) => ({ key: s, value: hostileStrings.at(-1 - i) ?? '', valueType: s })),
        environment: hostileStrings.join(' '),
        version: { ...notSetVersion, preRelease: hostileStrings[0] ?? '' },
      });
      const contents = [
        JSON.stringify({ hostile: hostileStrings }),
        ...hostileStrings.map((s) => JSON.stringify(s)),
        `{"raw":"'; DROP TABLE events; --"}`,
      ];
      const commits = [
        eventsCommit(
          contents.map((content) => buildEvent({ content })),
          executionContext,
        ),
        aggregateCommit({
          ...a,
          expectedVersion: 0,
          events: contents.map((content) => buildAggregateEvent({ content })),
          executionContext,
        }),
      ];
      const outcomes = await events.commit(commits, { occurred });
      const committed = commits.flatMap((commit, i) => {
        const actual = committedEvents(outcomes[i]);
        assert.deepEqual(actual, expectedCommittedEvents(commit, i * contents.length, occurred));
        return actual;
      });
      assert.deepEqual(await readAll(events), committed);
      assert.deepEqual(
        (await events.fetchForAggregate(a.aggregateRootId, a.eventSourceId)).events,
        committed.slice(contents.length),
      );

      // The store is intact and goes on numbering.
      const next = committedEvents(
        (
          await events.commit([aggregateCommit({ ...a, expectedVersion: contents.length, events: 1 })], { occurred })
        )[0],
      );
      assert.equal(next[0]?.sequenceNumber, 2 * contents.length);
      assert.equal(await events.aggregateVersion(a.aggregateRootId, a.eventSourceId), contents.length + 1);
    });
  });
}
