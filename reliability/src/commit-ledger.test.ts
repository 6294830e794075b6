import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommittedEvent } from '@dolittle-ts/store';
import { failureIds } from './commit-answers.js';
import { CommitLedger, type CommitRecord } from './commit-ledger.js';

/** A log of the given contents at 0, 1, 2, … (or at the numbers given). */
function logOf(contents: readonly string[], numbers?: readonly number[]): CommittedEvent[] {
  return contents.map((content, i) => ({ sequenceNumber: numbers?.[i] ?? i, content }) as unknown as CommittedEvent);
}

function acknowledge(record: CommitRecord, first: number): void {
  record.answer = { kind: 'acknowledged', sequenceNumbers: record.contents.map((_, i) => first + i) };
}

describe('the commit ledger judges an event log', () => {
  it('accepts a right log, counting unacknowledged commits that landed or not', () => {
    const ledger = new CommitLedger();
    const a = ledger.begin(2);
    const b = ledger.begin(1);
    const c = ledger.begin(3);
    acknowledge(a, 0);
    b.answer = { kind: 'failed', failureId: failureIds.storeUnavailable, reason: 'cut' };
    c.answer = { kind: 'no answer', error: 'killed' };
    const findings = ledger.check(logOf([...a.contents, ...b.contents]));
    assert.deepEqual(findings.problems, []);
    assert.equal(findings.acknowledged, 1);
    assert.equal(findings.unacknowledgedLanded, 1);
    assert.equal(findings.unacknowledgedAbsent, 1);
  });

  it('finds a lost, a moved, a duplicated, a partial and a refused-but-written commit', () => {
    const ledger = new CommitLedger();
    const lost = ledger.begin(1);
    const moved = ledger.begin(1);
    const twice = ledger.begin(1);
    const partial = ledger.begin(2);
    const refused = ledger.begin(1);
    acknowledge(lost, 9);
    acknowledge(moved, 5);
    refused.answer = { kind: 'failed', failureId: failureIds.aggregateRootConcurrencyConflict, reason: 'stale' };
    const findings = ledger.check(
      logOf([
        ...moved.contents,
        ...twice.contents,
        ...twice.contents,
        partial.contents[0] as string,
        ...refused.contents,
      ]),
    );
    assert.deepEqual(
      [findings.lost, findings.moved, findings.duplicated, findings.partial, findings.refusedLanded],
      [1, 1, 1, 1, 1],
    );
    assert.ok(findings.problems.length >= 5);
  });

  it('finds a gap, a number given twice and an event no client committed', () => {
    const ledger = new CommitLedger();
    const a = ledger.begin(1);
    const b = ledger.begin(1);
    const findings = ledger.check([
      ...logOf([...a.contents, ...b.contents], [0, 2]),
      ...logOf(['{"commit":"someone else"}'], [2]),
    ]);
    assert.equal(findings.notDense, 2, 'position 1 holds 2, and 2 is there twice');
    assert.equal(findings.unknown, 1);
  });
});
