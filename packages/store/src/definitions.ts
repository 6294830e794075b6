import type { ScopeId } from '@dolittle-ts/fundamentals';

export type DefinitionKind = 'filter' | 'projection' | 'embedding';

/**
 * Persisted definitions of what heads registered (a filter's event types and partitioning, a projection's
 * selectors and initial state), compared on re-registration. `definition` is a JSON document, kept verbatim.
 */
export interface Definitions {
  get(kind: DefinitionKind, scope: ScopeId, id: string): Promise<string | undefined>;
  set(kind: DefinitionKind, scope: ScopeId, id: string, definition: string): Promise<void>;
}
