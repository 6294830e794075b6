import type { ArtifactId, Guid, ScopeId } from '@dolittle-ts/fundamentals';

export type KeySelector =
  | { readonly kind: 'event-source' }
  | { readonly kind: 'partition' }
  | { readonly kind: 'property'; readonly property: string };

export interface ProjectionSelector {
  readonly type: ArtifactId;
  readonly key: KeySelector;
}

/** What a head registers: which events the projection reads, how each is keyed, and the read model's initial state. */
export interface ProjectionDefinition {
  readonly scope: ScopeId;
  readonly id: Guid;
  readonly selectors: readonly ProjectionSelector[];
  /** JSON, verbatim. */
  readonly initialState: string;
}

/** The part of a definition whose change means the read models must be rebuilt. */
export interface ProjectionShape {
  readonly selectors: readonly ProjectionSelector[];
  readonly initialState: string;
}

export function shapeOf(definition: ProjectionDefinition): ProjectionShape {
  const selectors = [...definition.selectors].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  return { selectors, initialState: definition.initialState };
}

export function sameShape(a: ProjectionShape, b: ProjectionShape): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
