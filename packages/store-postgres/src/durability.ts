import { UnsafeDurability } from '@dolittle-ts/fundamentals';
import type pg from 'pg';

export interface DurabilitySettings {
  readonly fsync: string;
  readonly synchronousCommit: string;
}

/**
 * A commit is acknowledged only once PostgreSQL has flushed it to disk. That holds only with `fsync = on` and
 * `synchronous_commit` other than `off` (`local` still flushes locally; `remote_*` adds replicas). The session's
 * own values are checked, so a role, database or connection-string override is seen too.
 */
export async function readDurabilitySettings(client: pg.Client): Promise<DurabilitySettings> {
  const result = await client.query<{ fsync: string; synchronous_commit: string }>(
    "SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit",
  );
  const row = result.rows[0];
  return { fsync: row?.fsync ?? 'unknown', synchronousCommit: row?.synchronous_commit ?? 'unknown' };
}

/** Problems with the settings, in words an operator can act on; empty when they are safe. */
export function durabilityProblems(settings: DurabilitySettings): string[] {
  const problems: string[] = [];
  if (settings.fsync !== 'on') problems.push(`fsync is ${settings.fsync} (set fsync = on in postgresql.conf)`);
  if (settings.synchronousCommit === 'off') {
    problems.push(
      'synchronous_commit is off (set it to on for the server, or for the role or database the Runtime uses)',
    );
  }
  return problems;
}

export async function checkDurability(
  client: pg.Client,
  where: string,
  options: { readonly allowUnsafeDurability: boolean },
): Promise<void> {
  if (options.allowUnsafeDurability) return;
  const problems = durabilityProblems(await readDurabilitySettings(client));
  if (problems.length > 0) {
    throw new UnsafeDurability(
      `PostgreSQL at ${where} could lose acknowledged commits: ${problems.join('; ')}. Fix the settings, or start with unsafe durability explicitly allowed (tests only)`,
    );
  }
}
