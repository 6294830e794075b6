/*
 * The Runtime's own group-commit counters, from its Prometheus endpoint: how many transactions it wrote, how many
 * commits they held and how long they took. The difference of two scrapes describes what happened in between.
 */

export interface GroupCommitCounters {
  /** Transactions written (`dolittle_commit_batches_total`, all results). */
  readonly transactions: number;
  /** Commits written in them (`dolittle_commit_batch_commits_sum`). */
  readonly commits: number;
  /** Seconds spent writing them (`dolittle_commit_batch_seconds_sum`). */
  readonly seconds: number;
}

export interface GroupCommitStats {
  readonly transactions: number;
  readonly commitsPerTransaction: number;
  /** Mean time to write one transaction durably, as the Runtime measures it. */
  readonly transactionMs: number;
}

/** Scrapes `http://<host>:<port>/metrics` and sums the group-commit series of `tenant`. */
export async function scrapeGroupCommit(host: string, port: number, tenant: string): Promise<GroupCommitCounters> {
  const response = await fetch(`http://${host}:${port}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  const text = await response.text();
  const sum = (metric: string) => {
    let total = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${metric}{`) || !line.includes(`tenant="${tenant}"`)) continue;
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return total;
  };
  return {
    transactions: sum('dolittle_commit_batches_total'),
    commits: sum('dolittle_commit_batch_commits_sum'),
    seconds: sum('dolittle_commit_batch_seconds_sum'),
  };
}

export function groupCommitBetween(before: GroupCommitCounters, after: GroupCommitCounters): GroupCommitStats {
  const transactions = after.transactions - before.transactions;
  return {
    transactions,
    commitsPerTransaction: transactions > 0 ? (after.commits - before.commits) / transactions : Number.NaN,
    transactionMs: transactions > 0 ? ((after.seconds - before.seconds) * 1000) / transactions : Number.NaN,
  };
}
