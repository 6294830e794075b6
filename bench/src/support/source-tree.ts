import { execFileSync } from 'node:child_process';

export interface SourceTree {
  /** The checked-out commit, or undefined outside a git work tree. */
  readonly commit: string | undefined;
  /** Files that differ from it (modified, added or untracked): figures of a dirty tree are not of `commit`. */
  readonly uncommittedFiles: number | undefined;
}

/**
 * Which code was measured. Read-only: `--no-optional-locks` keeps `git status` from refreshing the index, so a
 * benchmark never touches the repository.
 */
export function describeSourceTree(cwd: string): SourceTree {
  const git = (...args: string[]) =>
    execFileSync('git', ['--no-optional-locks', ...args], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  try {
    const commit = git('rev-parse', '--short=12', 'HEAD').trim();
    const status = git('status', '--porcelain', '--untracked-files=normal');
    return { commit, uncommittedFiles: status.split('\n').filter((line) => line.length > 0).length };
  } catch {
    return { commit: undefined, uncommittedFiles: undefined };
  }
}
