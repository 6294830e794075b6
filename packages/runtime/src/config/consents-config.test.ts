import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { developmentTenant } from '@dolittle-ts/fundamentals';
import { expectProblem, useConfigTestKit } from './config-test-kit.js';

const { configWith, problemWith } = useConfigTestKit();

const file = '.dolittle/event-horizon-consents.json';
const producerA = '7f1c0d3a-1b2c-4d5e-8f90-a1b2c3d4e5f6';
const producerB = '900893e7-c4cc-4873-8032-884e965e4b97';
const tenants = { 'tenants.json': { [producerA]: {}, [producerB]: {} } };
const consumerMicroservice = 'a14bb24e-51f3-4d83-9eba-44c4cffe6bb9';
const consumerTenant = '445f8ea8-1a6f-40d7-b2fc-796dba92dc44';
const stream = '2c087657-b318-40b1-ae92-a400de44e507';
const partition = '00000000-0000-0000-0000-000000000000';
const consentA = 'ad57aa2b-e641-4251-b800-dd171e175d1f';
const consentB = 'b2d3f3c6-5ef6-4f8c-9a48-5c2a1b7a5e10';

function entry(overrides: Record<string, unknown> = {}) {
  return {
    microservice: consumerMicroservice,
    tenant: consumerTenant,
    stream,
    partition,
    consent: consentA,
    ...overrides,
  };
}

describe('event-horizon-consents.json', () => {
  it('gives no consents without the file, or with an empty one', async () => {
    assert.equal((await configWith({})).config.consents.size, 0);
    assert.equal((await configWith({ 'event-horizon-consents.json': {} })).config.consents.size, 0);
  });

  it("reads Dolittle's shape into consents by producer tenant, ids lowercased, in file order", async () => {
    const { config } = await configWith({
      ...tenants,
      'event-horizon-consents.json': {
        [producerA.toUpperCase()]: [
          entry({ microservice: consumerMicroservice.toUpperCase() }),
          entry({ partition: 'C0FFEE00-0000-4000-8000-000000000001', consent: consentB.toUpperCase() }),
        ],
        [producerB]: [],
      },
    });
    assert.deepEqual(
      [...config.consents],
      [
        [
          producerA,
          [
            { consumerMicroservice, consumerTenant, stream, partition, consentId: consentA },
            {
              consumerMicroservice,
              consumerTenant,
              stream,
              partition: 'c0ffee00-0000-4000-8000-000000000001',
              consentId: consentB,
            },
          ],
        ],
        [producerB, []],
      ],
    );
  });

  it('accepts consents of the development tenant without tenants.json', async () => {
    const { config } = await configWith({ 'event-horizon-consents.json': { [developmentTenant]: [entry()] } });
    assert.equal(config.consents.get(developmentTenant)?.[0]?.consentId, consentA);
  });
});

describe('event-horizon-consents.json is refused', () => {
  it('when a producer tenant is not configured in tenants.json', async () => {
    const other = 'aaaaaaaa-0000-4000-8000-000000000000';
    expectProblem(
      await problemWith({ ...tenants, 'event-horizon-consents.json': { [other]: [entry()] } }),
      file,
      other,
      new RegExp(`tenant ${other} is not configured \\(\\.dolittle/tenants\\.json lists ${producerA}, ${producerB}\\)`),
    );
  });

  it('when a producer tenant is not the development tenant and there is no tenants.json', async () => {
    expectProblem(
      await problemWith({ 'event-horizon-consents.json': { [producerA]: [entry()] } }),
      file,
      producerA,
      new RegExp(`no tenants\\.json, so the only tenant is the development tenant ${developmentTenant}`),
    );
  });

  it('when a producer tenant is not a GUID, or is listed twice', async () => {
    expectProblem(
      await problemWith({ ...tenants, 'event-horizon-consents.json': { shop: [entry()] } }),
      file,
      'shop',
      /not a GUID/,
    );
    expectProblem(
      await problemWith({
        ...tenants,
        'event-horizon-consents.json': { [producerA]: [], [producerA.toUpperCase()]: [] },
      }),
      file,
      producerA.toUpperCase(),
      /the same tenant as/,
    );
  });

  it('when an id in a consent is not a GUID, naming the consent and field', async () => {
    for (const field of ['microservice', 'tenant', 'stream', 'partition', 'consent']) {
      expectProblem(
        await problemWith({
          ...tenants,
          'event-horizon-consents.json': { [producerA]: [entry(), entry({ [field]: 'shop' })] },
        }),
        file,
        `${producerA}[1].${field}`,
        /not a GUID, got "shop"/,
      );
    }
    expectProblem(
      await problemWith({ ...tenants, 'event-horizon-consents.json': { [producerA]: [entry({ stream: 7 })] } }),
      file,
      `${producerA}[0].stream`,
      /expected a string, got 7/,
    );
  });

  it('when a consent misses a field or has an unknown one', async () => {
    const { partition: _, ...withoutPartition } = entry();
    expectProblem(
      await problemWith({ ...tenants, 'event-horizon-consents.json': { [producerA]: [withoutPartition] } }),
      file,
      `${producerA}[0].partition`,
      /is missing/,
    );
    expectProblem(
      await problemWith({
        ...tenants,
        'event-horizon-consents.json': { [producerA]: [entry({ scope: consentB })] },
      }),
      file,
      `${producerA}[0].scope`,
      /unknown key \(expected microservice, tenant, stream, partition, consent\)/,
    );
  });

  it('when a producer tenant has no list, or the file is not an object', async () => {
    expectProblem(
      await problemWith({ ...tenants, 'event-horizon-consents.json': { [producerA]: entry() } }),
      file,
      producerA,
      /expected an array, got an object/,
    );
    expectProblem(await problemWith({ 'event-horizon-consents.json': [] }), file, '', /expected an object/);
  });

  it('when one consent id is used twice, under one producer tenant or two', async () => {
    expectProblem(
      await problemWith({
        ...tenants,
        'event-horizon-consents.json': { [producerA]: [entry(), entry({ stream: consentB })] },
      }),
      file,
      `${producerA}[1].consent`,
      new RegExp(`consent id ${consentA} is already the id of ${producerA}\\[0\\]`),
    );
    expectProblem(
      await problemWith({
        ...tenants,
        'event-horizon-consents.json': {
          [producerA]: [entry()],
          [producerB]: [entry({ consent: consentA.toUpperCase() })],
        },
      }),
      file,
      `${producerB}[0].consent`,
      new RegExp(`consent id ${consentA} is already the id of ${producerA}\\[0\\]`),
    );
  });

  it('when a producer tenant consents twice to one microservice, tenant, stream and partition', async () => {
    expectProblem(
      await problemWith({
        ...tenants,
        'event-horizon-consents.json': {
          [producerA]: [entry(), entry({ stream: stream.toUpperCase(), consent: consentB })],
        },
      }),
      file,
      `${producerA}[1]`,
      new RegExp(`consents again to what ${producerA}\\[0\\] consents to .*exactly one consent matches`),
    );
  });

  it('but not when two producer tenants consent to the same subscription', async () => {
    const { config } = await configWith({
      ...tenants,
      'event-horizon-consents.json': { [producerA]: [entry()], [producerB]: [entry({ consent: consentB })] },
    });
    assert.equal(config.consents.size, 2);
  });
});
