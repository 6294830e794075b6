import type { ProcessingFailure } from '../transport/transport.js';

/** What happened, for deciding whether and when the Runtime retries an event a handler failed on. */
export interface FailedAttempt {
  readonly error: unknown;
  /** undefined on the first attempt; 0 on the first retry. */
  readonly retryCount: number | undefined;
}

export interface RetryDecision {
  readonly retry: boolean;
  readonly afterMs: number;
}

export type RetryPolicy = (attempt: FailedAttempt) => RetryDecision;

/** SDK 17's: always retry, after 5 s × (retries so far + 1), at most 60 s. */
export const defaultRetryPolicy: RetryPolicy = ({ retryCount }) => ({
  retry: true,
  afterMs: Math.min(5_000 * ((retryCount ?? 0) + 1), 60_000),
});

/** Retry after a fixed delay (tests, or handlers whose failures are short-lived). */
export function retryAfter(ms: number): RetryPolicy {
  return () => ({ retry: true, afterMs: ms });
}

export function failureOf(error: unknown, retryCount: number | undefined, policy: RetryPolicy): ProcessingFailure {
  let decision: RetryDecision;
  try {
    decision = policy({ error, retryCount });
  } catch {
    decision = defaultRetryPolicy({ error, retryCount });
  }
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { kind: 'failed', reason, retry: decision.retry, retryAfterMs: Math.max(0, decision.afterMs) };
}
