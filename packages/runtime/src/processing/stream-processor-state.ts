import type { StreamPosition } from '@dolittle-ts/fundamentals';
import type { StreamProcessorKey, StreamProcessorState, StreamProcessorStates } from '@dolittle-ts/store';

export function initialState(partitioned: boolean): StreamProcessorState {
  return partitioned
    ? {
        kind: 'partitioned',
        position: 0 as StreamPosition,
        failingPartitions: new Map(),
        lastSuccessfullyProcessed: undefined,
      }
    : {
        kind: 'unpartitioned',
        position: 0 as StreamPosition,
        failure: undefined,
        lastSuccessfullyProcessed: undefined,
      };
}

/** The persisted state, or a new one at position 0 (persisted at once, as Dolittle does). */
export async function loadOrCreateState(
  states: StreamProcessorStates,
  key: StreamProcessorKey,
  partitioned: boolean,
): Promise<StreamProcessorState> {
  const existing = await states.get(key);
  if (existing !== undefined) return existing;
  const created = initialState(partitioned);
  await states.set(key, created);
  return created;
}
