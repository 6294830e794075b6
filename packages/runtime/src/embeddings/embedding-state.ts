import type { AggregateRootVersion } from '@dolittle-ts/fundamentals';

/**
 * An embedding's read model for one key as the Runtime works with it, at an aggregate version (the number of the
 * key's aggregate events it reflects).
 * - `initial`: the key has no read model (never had one, or it was deleted before `version`); `state` is the
 *   definition's initial state. Heads see it as CREATED_FROM_INITIAL_STATE.
 * - `persisted`: the read model `state`. Heads see it as PERSISTED.
 * - `deleted`: the last event projected deleted the read model (heads see the initial state, as for `initial`);
 *   `lastState` is the read model it deleted, kept in the store with `removed: true`.
 */
export type EmbeddingCurrentState =
  | {
      readonly type: 'initial' | 'persisted';
      readonly key: string;
      readonly state: string;
      readonly version: AggregateRootVersion;
    }
  | {
      readonly type: 'deleted';
      readonly key: string;
      readonly state: string;
      readonly lastState: string;
      readonly version: AggregateRootVersion;
    };

/** Whether the key has a read model. */
export function exists(current: EmbeddingCurrentState): boolean {
  return current.type === 'persisted';
}
