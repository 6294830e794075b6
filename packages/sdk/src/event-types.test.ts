import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as v from 'valibot';
import { z } from 'zod';
import { type DolittleSdkError, InvalidEventContent } from './errors.js';
import { defineEventType, deserializeContent, serializeContent } from './event-types.js';

describe('event types', () => {
  it('are values: id, generation (default 1), alias, public flag, and an artifact', () => {
    const DishPrepared = defineEventType<{ Dish: string }>({
      id: '1844473F-D714-4327-8B7F-5B3C2BDFC26A',
      alias: 'DishPrepared',
    });
    assert.equal(DishPrepared.id, '1844473f-d714-4327-8b7f-5b3c2bdfc26a');
    assert.deepEqual(DishPrepared.artifact, { id: DishPrepared.id, generation: 1 });
    assert.equal(String(DishPrepared), 'DishPrepared@1');
    assert.equal(DishPrepared.public, false);
    assert.equal(
      DishPrepared.create({ Dish: 'Taco' }, 'bfe6f6e4-ada2-4344-8a3b-65a3e1fe16e9', { public: true }).public,
      true,
    );
  });

  it('refuses ids that are not GUIDs with a typed error naming the field', () => {
    assert.throws(
      () => defineEventType({ id: 'DishPrepared' }),
      (e: DolittleSdkError) => e.code === 'InvalidArgument' && /defineEventType\(\{ id \}\)/.test(e.message),
    );
  });

  for (const [library, schema] of [
    ['zod', z.object({ Dish: z.string().min(1), Price: z.number().positive() })],
    ['valibot', v.object({ Dish: v.pipe(v.string(), v.minLength(1)), Price: v.pipe(v.number(), v.minValue(0.01)) })],
  ] as const) {
    it(`validates content with a Standard Schema (${library}) on commit and on receipt`, async () => {
      const DishPriced = defineEventType({ id: '7a0e5c2b-3f1d-4e8a-9b6c-0d1e2f3a4b5c', schema });
      assert.equal(await serializeContent(DishPriced, { Dish: 'Taco', Price: 3 }), '{"Dish":"Taco","Price":3}');
      const error = await serializeContent(DishPriced, { Dish: '', Price: -1 }).then(
        () => assert.fail('expected invalid content'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof InvalidEventContent);
      assert.equal(error.code, 'InvalidEventContent');
      assert.deepEqual(
        error.issues.map((issue) => issue.path),
        [['Dish'], ['Price']],
      );
      await assert.rejects(deserializeContent(DishPriced, '{"Dish":"Taco"}'), InvalidEventContent);
      assert.deepEqual(await deserializeContent(DishPriced, '{"Dish":"Taco","Price":2}'), { Dish: 'Taco', Price: 2 });
    });
  }

  it('validates only where asked', async () => {
    const Loose = defineEventType({
      id: '7a0e5c2b-3f1d-4e8a-9b6c-0d1e2f3a4b5d',
      schema: z.object({ a: z.number() }),
      validate: 'commit',
    });
    assert.deepEqual(await deserializeContent(Loose, '{"a":"not a number"}'), { a: 'not a number' });
  });
});
