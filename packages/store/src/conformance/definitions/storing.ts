import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGuid, defaultScope } from '@dolittle-ts/fundamentals';
import type { DefinitionKind } from '../../index.js';
import { newScopeId, newTenantId } from '../builders.js';
import { awkwardContents, hostileStrings, megabyteDocument } from '../event-store/round-trip.js';
import type { ConformanceFixture } from '../harness.js';
import { processingPorts } from '../processing-builders.js';

const kinds: readonly DefinitionKind[] = ['filter', 'projection', 'embedding'];

export function storingCases(fixture: ConformanceFixture): void {
  describe('storing definitions', () => {
    it('an unknown definition is undefined', async () => {
      const { definitions } = processingPorts(await fixture.freshStore());
      for (const kind of kinds) assert.equal(await definitions.get(kind, defaultScope, createGuid()), undefined);
    });

    it('keeps the JSON document verbatim', async () => {
      const { definitions } = processingPorts(await fixture.freshStore());
      const documents = [
        ...awkwardContents,
        JSON.stringify({ hostile: hostileStrings }),
        `{"raw":"'; DROP TABLE definitions; --"}`,
        megabyteDocument(),
      ];
      const ids = documents.map(() => createGuid());
      for (const [i, document] of documents.entries())
        await definitions.set('projection', defaultScope, ids[i]!, document);
      for (const [i, document] of documents.entries()) {
        assert.equal(await definitions.get('projection', defaultScope, ids[i]!), document, `document #${i}`);
      }
    });

    it('set replaces the definition', async () => {
      const { definitions } = processingPorts(await fixture.freshStore());
      const id = createGuid();
      for (const document of ['{"types":["a"]}', '{"types":["a","b"],"partitioned":true}', '{}']) {
        await definitions.set('filter', defaultScope, id, document);
        assert.equal(await definitions.get('filter', defaultScope, id), document);
      }
    });

    it('kind, scope and id each make a different definition', async () => {
      const { definitions } = processingPorts(await fixture.freshStore());
      const id = createGuid();
      const scope = newScopeId();
      const written: [DefinitionKind, typeof scope, string, string][] = [];
      for (const kind of kinds) {
        for (const s of [defaultScope, scope]) written.push([kind, s, id, JSON.stringify({ kind, scope: s })]);
      }
      written.push(['filter', defaultScope, createGuid(), '{"another":"id"}']);
      for (const [kind, s, i, document] of written) await definitions.set(kind, s, i, document);
      for (const [kind, s, i, document] of written) {
        assert.equal(await definitions.get(kind, s, i), document, `${kind} in scope ${s}`);
      }
      assert.equal(await definitions.get('filter', newScopeId(), id), undefined);
    });

    it('definitions survive close and open', {
      skip: !fixture.harness.persistent && 'this storage does not outlive its store',
    }, async () => {
      const provider = await fixture.provider();
      const tenant = newTenantId();
      const first = await fixture.open(provider, tenant);
      const [a, b] = [createGuid(), createGuid()];
      await processingPorts(first).definitions.set('filter', defaultScope, a, '{"v":1}');
      await processingPorts(first).definitions.set('filter', defaultScope, a, '{"v":2}');
      await processingPorts(first).definitions.set('embedding', defaultScope, b, '{"e":true}');
      await first.close();

      const { definitions } = processingPorts(await fixture.open(provider, tenant));
      assert.equal(await definitions.get('filter', defaultScope, a), '{"v":2}');
      assert.equal(await definitions.get('embedding', defaultScope, b), '{"e":true}');
    });

    it("keeps tenants apart: two tenants of one provider never see each other's definitions", async () => {
      const provider = await fixture.provider();
      const a = processingPorts(await fixture.open(provider, newTenantId())).definitions;
      const b = processingPorts(await fixture.open(provider, newTenantId())).definitions;
      const id = createGuid();
      await a.set('filter', defaultScope, id, '{"tenant":"a"}');
      assert.equal(await b.get('filter', defaultScope, id), undefined);
      await b.set('filter', defaultScope, id, '{"tenant":"b"}');
      assert.equal(await a.get('filter', defaultScope, id), '{"tenant":"a"}');
    });
  });
}
