// Waiting for asynchronous effects (projected read models, embedding states) without fixed sleeps: retry a check
// until it passes, and fail with its last error when it never does.
import { setTimeout as sleep } from 'node:timers/promises';

export interface EventuallyOptions {
  /** Give up after this long (default 15 s). */
  readonly timeoutMs?: number;
  /** Pause between attempts (default 50 ms). */
  readonly intervalMs?: number;
  /** Prefixed to the last error when the check never passed. */
  readonly what?: string;
}

/**
 * Runs `check` until it returns without throwing (an assertion that holds, a call that succeeds) and resolves with
 * its result. When it still throws after `timeoutMs`, rejects with the last error, so a failing `deepEqual` shows
 * the last difference seen.
 */
export async function eventually<T>(check: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) {
        const message = error instanceof Error ? error.message : String(error);
        const prefix = options.what ? `${options.what}: ` : '';
        const failure = new Error(
          `${prefix}still failing after ${timeoutMs} ms (${attempts} attempts); last failure:\n${message}`,
          { cause: error },
        );
        throw failure;
      }
    }
    await sleep(intervalMs);
  }
}
