/*
 * What the clients of a check asked to commit and what they were told, and the judgement of an event log against
 * it. Every event a check commits carries its commit's id in its content (`{"commit": id, ...}`), so each event in
 * the log can be traced back to the commit that wrote it.
 */
import assert from 'node:assert/strict';
import type { CommittedEvent } from '@dolittle-ts/store';
import { type CommitAnswer, failureIds } from './commit-answers.js';

export interface CommitRecord {
  readonly id: string;
  readonly contents: readonly string[];
  /** Undefined while the call is in flight (or if the process running it was killed before an answer). */
  answer: CommitAnswer | undefined;
}

/** Failures that are definite refusals: such a commit must not be in the log. */
const refusals: ReadonlySet<string> = new Set([
  failureIds.aggregateRootConcurrencyConflict,
  failureIds.noEventsToCommit,
]);

export interface LogFindings {
  readonly events: number;
  readonly acknowledged: number;
  /** Not acknowledged (a StoreUnavailable failure, no answer, or none yet) and yet in the log, whole. */
  readonly unacknowledgedLanded: number;
  readonly unacknowledgedAbsent: number;
  /** Refused for a reason that means "not written" (concurrency conflict, no events) and indeed absent. */
  readonly refused: number;
  /** Acknowledged commits missing from the log. */
  readonly lost: number;
  /** Acknowledged commits in the log at other sequence numbers than they were acknowledged with. */
  readonly moved: number;
  /** Commits in the log more than once. */
  readonly duplicated: number;
  /** Commits with only some of their events in the log. */
  readonly partial: number;
  /** Commits whose events differ from what was sent, or are not contiguous. */
  readonly altered: number;
  /** Refused commits that are in the log anyway. */
  readonly refusedLanded: number;
  /** Events whose sequence number is not their position in the log (a gap) or was seen before (given twice). */
  readonly notDense: number;
  /** Events no client of the check committed. */
  readonly unknown: number;
  /** The first problems found, in words; empty when the log is right. */
  readonly problems: readonly string[];
}

export class CommitLedger {
  readonly #records = new Map<string, CommitRecord>();

  /** A new commit of `size` events; `content(i)` gives event i's content fields besides the commit id. */
  begin(size: number, content: (i: number) => Record<string, unknown> = () => ({})): CommitRecord {
    const id = crypto.randomUUID();
    const contents = Array.from({ length: size }, (_, i) => JSON.stringify({ commit: id, i, ...content(i) }));
    const record: CommitRecord = { id, contents, answer: undefined };
    this.#records.set(id, record);
    return record;
  }

  count(kind: CommitAnswer['kind']): number {
    let n = 0;
    for (const record of this.#records.values()) if (record.answer?.kind === kind) n++;
    return n;
  }

  /**
   * Judges the whole event log: sequence numbers dense from 0; every event belongs to a known commit; a commit is
   * there whole and contiguous, byte-identical, at most once, or not at all; an acknowledged commit is there at
   * exactly the sequence numbers it was acknowledged with; a refused commit is not there. Counts every breach.
   */
  check(log: readonly CommittedEvent[]): LogFindings {
    const problems: string[] = [];
    const problem = (text: string) => {
      if (problems.length < 10) problems.push(text);
    };
    const counts = {
      acknowledged: 0,
      unacknowledgedLanded: 0,
      unacknowledgedAbsent: 0,
      refused: 0,
      lost: 0,
      moved: 0,
      duplicated: 0,
      partial: 0,
      altered: 0,
      refusedLanded: 0,
      notDense: 0,
      unknown: 0,
    };
    const byCommit = new Map<string, CommittedEvent[]>();
    const numbers = new Set<number>();
    log.forEach((event, index) => {
      if (numbers.has(event.sequenceNumber)) {
        counts.notDense++;
        problem(`sequence number ${event.sequenceNumber} is in the log twice`);
      } else if (event.sequenceNumber !== index) {
        counts.notDense++;
        problem(`position ${index} of the log holds sequence number ${event.sequenceNumber}`);
      }
      numbers.add(event.sequenceNumber);
      const id = commitIdOf(event.content);
      if (!this.#records.has(id)) {
        counts.unknown++;
        problem(`event ${event.sequenceNumber} belongs to commit ${id}, which no client of this check made`);
        return;
      }
      const events = byCommit.get(id) ?? [];
      events.push(event);
      byCommit.set(id, events);
    });
    for (const record of this.#records.values()) {
      const stored = byCommit.get(record.id) ?? [];
      const size = record.contents.length;
      if (stored.length > size) {
        counts.duplicated++;
        problem(`commit ${record.id} has ${stored.length} events in the log for its ${size} (written twice)`);
      } else if (stored.length > 0 && stored.length < size) {
        counts.partial++;
        problem(`commit ${record.id} is partial: ${stored.length} of its ${size} events are in the log`);
      }
      const first = stored[0]?.sequenceNumber ?? 0;
      if (
        stored.some((event, i) => event.content !== record.contents[i % size] || event.sequenceNumber !== first + i)
      ) {
        counts.altered++;
        problem(`commit ${record.id} is in the log altered or not contiguous`);
      }
      const answer = record.answer;
      if (answer?.kind === 'acknowledged') {
        counts.acknowledged++;
        const numbers = stored.map((e) => e.sequenceNumber as number);
        if (stored.length === 0) {
          counts.lost++;
          problem(
            `acknowledged commit ${record.id} (sequence numbers ${answer.sequenceNumbers.join(',')}) is not in the log`,
          );
        } else if (numbers.join(',') !== answer.sequenceNumbers.join(',')) {
          counts.moved++;
          problem(
            `acknowledged commit ${record.id} was acknowledged at ${answer.sequenceNumbers.join(',')} but is in the log at ${numbers.join(',')}`,
          );
        }
      } else if (answer?.kind === 'failed' && refusals.has(answer.failureId)) {
        counts.refused++;
        if (stored.length > 0) {
          counts.refusedLanded++;
          problem(`commit ${record.id} was refused (${answer.reason}) yet is in the log`);
        }
      } else if (stored.length > 0) {
        counts.unacknowledgedLanded++;
      } else {
        counts.unacknowledgedAbsent++;
      }
    }
    return { events: log.length, ...counts, problems };
  }
}

/** The findings in one line, for a check's diagnostic. */
export function describeFindings(findings: LogFindings): string {
  const f = findings;
  return (
    `events in the log=${f.events} acknowledged commits=${f.acknowledged} unacknowledged that landed=${f.unacknowledgedLanded} ` +
    `unacknowledged absent=${f.unacknowledgedAbsent} refused=${f.refused}; lost=${f.lost} moved=${f.moved} ` +
    `duplicated=${f.duplicated} partial=${f.partial} altered=${f.altered} refused-but-written=${f.refusedLanded} ` +
    `not dense=${f.notDense} unknown=${f.unknown}`
  );
}

/** Fails with the first problems found unless the log is right. */
export function assertLogIsRight(findings: LogFindings): void {
  assert.deepEqual(findings.problems, [], describeFindings(findings));
}

export function commitIdOf(content: string): string {
  const parsed = JSON.parse(content) as { commit?: unknown };
  if (typeof parsed.commit !== 'string') throw new Error(`an event without a commit id: ${content}`);
  return parsed.commit;
}
