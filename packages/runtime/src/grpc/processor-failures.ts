import type { ProcessingResult, RetryState } from '../processing/processing-result.js';
import { type ProcessorFailure, RetryProcessingState } from './contracts.js';

/** A head's `ProcessorFailure` (or none) as a processing result. */
export function processingResultOf(failure: ProcessorFailure | undefined): ProcessingResult {
  if (failure === undefined) return { kind: 'succeeded' };
  const timeout = failure.getRetrytimeout();
  const retryAfterMs = timeout === undefined ? 0 : timeout.getSeconds() * 1000 + Math.floor(timeout.getNanos() / 1e6);
  return { kind: 'failed', reason: failure.getReason(), retry: failure.getRetry(), retryAfterMs };
}

/** `RetryProcessingState { failureReason, retryCount = attempts − 1 }` for a retried event. */
export function retryStateToPb(retry: RetryState | undefined): RetryProcessingState | undefined {
  if (retry === undefined) return undefined;
  const pb = new RetryProcessingState();
  pb.setFailurereason(retry.reason);
  pb.setRetrycount(retry.retryCount);
  return pb;
}
