import type { ProcessingFailure } from '@dolittle-ts/store';
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
