import { InvalidArgument, type ScopeId } from '@dolittle-ts/fundamentals';
import type { DefinitionKind, Definitions } from '@dolittle-ts/store';
import type { SafeIdentifier } from './identifiers.js';
import type { PoolReader } from './pool-reader.js';
import { statementsOf } from './statements.js';
import { assertStorableText } from './storable-text.js';
import type { TenantWriter } from './tenant-writer.js';

const kinds: ReadonlySet<string> = new Set<DefinitionKind>(['filter', 'projection', 'embedding']);

/**
 * Definitions in `definitions`, the exact text given, one row per (kind, scope, id). `set` is one statement on the
 * writer connection: durable when it resolves.
 */
export class PostgresDefinitions implements Definitions {
  readonly #writer: TenantWriter;
  readonly #reader: PoolReader;
  readonly #statements: ReturnType<typeof definitionStatements>;

  constructor(writer: TenantWriter, reader: PoolReader, schema: SafeIdentifier) {
    this.#writer = writer;
    this.#reader = reader;
    this.#statements = definitionStatements(schema);
  }

  async get(kind: DefinitionKind, scope: ScopeId, id: string): Promise<string | undefined> {
    checkKey(kind, id);
    const [row] = await this.#reader.arrays<[string]>(
      this.#statements.get,
      [kind, scope, id],
      describeDefinition(kind, scope, id),
    );
    return row?.[0];
  }

  async set(kind: DefinitionKind, scope: ScopeId, id: string, definition: string): Promise<void> {
    checkKey(kind, id);
    assertStorableText('definition', definition);
    await this.#writer.transact(`saving ${describeDefinition(kind, scope, id)}`, [
      { ...this.#statements.upsert, values: [kind, scope, id, definition] },
    ]);
  }
}

function definitionStatements(schema: SafeIdentifier) {
  const { s, statement } = statementsOf(schema);
  return {
    get: statement(
      'definition-get',
      `SELECT definition FROM ${s}.definitions WHERE kind = $1 AND scope = $2 AND id = $3`,
    ),
    upsert: statement(
      'definition-upsert',
      `INSERT INTO ${s}.definitions (kind, scope, id, definition) VALUES ($1, $2, $3, $4)
       ON CONFLICT (kind, scope, id) DO UPDATE SET definition = excluded.definition`,
    ),
  };
}

function checkKey(kind: DefinitionKind, id: string): void {
  if (!kinds.has(kind)) {
    throw new InvalidArgument('kind', `must be one of ${[...kinds].join(', ')}, not ${JSON.stringify(kind)}`);
  }
  assertStorableText('id', id);
}

function describeDefinition(kind: DefinitionKind, scope: ScopeId, id: string): string {
  return `the ${kind} definition ${id} in scope ${scope}`;
}
