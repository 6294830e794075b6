// SDK 17's event-horizon subscriptions and cancellation. `EventHorizons.subscribeAll` subscribes to its retry loop
// with a `complete` callback only; when the client's cancellation completes while a subscription has not succeeded
// (its `Subscriptions.Subscribe` call is pending, or it waits to retry after a refusal), `retryWithPolicy` ends the
// loop with `new Error('Retry was cancelled')`, which RxJS, finding no error callback, rethrows from a timer: an
// uncaught exception in whatever process runs the head. A client whose subscriptions all succeeded closes quietly.

import type { SdkClient } from '../sdk';

const sdkRetryCancelled = 'Retry was cancelled';

/**
 * Closes the head and swallows the SDK's own `Retry was cancelled` error for a moment afterwards (nothing else:
 * any other uncaught exception in that window is handed to the process's `uncaughtException` listeners, i.e. the
 * test runner, as it would have been).
 */
export async function closeHead(head: SdkClient, settleMs = 250): Promise<void> {
  let installed = false;
  try {
    process.setUncaughtExceptionCaptureCallback((error) => {
      if (error instanceof Error && error.message === sdkRetryCancelled) {
        return;
      }
      const emit = process.emit as (event: string, ...args: unknown[]) => boolean;
      emit.call(process, 'uncaughtException', error, 'uncaughtException');
    });
    installed = true;
  } catch {
    // Someone else captures uncaught exceptions: close without the guard.
  }
  try {
    head.close();
    await new Promise((resolve) => setTimeout(resolve, settleMs));
  } finally {
    if (installed) process.setUncaughtExceptionCaptureCallback(null);
  }
}
