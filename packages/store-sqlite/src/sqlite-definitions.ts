import type { ScopeId } from '@dolittle-ts/fundamentals';
import type { DefinitionKind, Definitions } from '@dolittle-ts/store';
import type Database from 'better-sqlite3';
import { assertOpen } from './open-database.js';

/** Definitions as the exact text given, one row per (kind, scope, id); `set` is durable when it resolves. */
export class SqliteDefinitions implements Definitions {
  readonly #db: Database.Database;
  readonly #location: string;
  readonly #select: Database.Statement<[string, string, string], string>;
  readonly #upsert: Database.Statement<[string, string, string, string]>;

  constructor(db: Database.Database, location: string) {
    this.#db = db;
    this.#location = location;
    this.#select = db
      .prepare<[string, string, string], string>(
        'SELECT definition FROM definitions WHERE kind = ? AND scope = ? AND id = ?',
      )
      .pluck();
    this.#upsert = db.prepare(
      `INSERT INTO definitions (kind, scope, id, definition) VALUES (?, ?, ?, ?)
        ON CONFLICT (kind, scope, id) DO UPDATE SET definition = excluded.definition`,
    );
  }

  async get(kind: DefinitionKind, scope: ScopeId, id: string): Promise<string | undefined> {
    assertOpen(this.#db, this.#location);
    return this.#select.get(kind, scope, id);
  }

  async set(kind: DefinitionKind, scope: ScopeId, id: string, definition: string): Promise<void> {
    assertOpen(this.#db, this.#location);
    this.#upsert.run(kind, scope, id, definition);
  }
}
