import type { ProcessingFailure } from '@dolittle-ts/store';
import { sleep } from './event-watcher.js';
import type { ProcessingResult } from './processing-result.js';

/** The failure state after `attempts` failed tries: retried after the head's timeout, or never. */
export function failureAfter(
  result: Extract<ProcessingResult, { kind: 'failed' }>,
  attempts: number,
  now: Date,
): ProcessingFailure {
  return {
    reason: result.reason,
    attempts,
    retryAt: result.retry ? new Date(now.getTime() + Math.max(0, result.retryAfterMs)) : undefined,
    lastFailed: now,
  };
}

/**
 * Waits until `failure`'s retry time, or for good when it is not to be retried (parked until the head goes away or
 * the processor is reset); ends early when `signal` aborts. Never rejects.
 */
export function untilRetry(failure: ProcessingFailure, signal: AbortSignal): Promise<void> {
  const { retryAt } = failure;
  return sleep(retryAt === undefined ? Number.MAX_SAFE_INTEGER : retryAt.getTime() - Date.now(), signal);
}
