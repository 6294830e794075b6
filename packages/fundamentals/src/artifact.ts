import type { ArtifactId } from './ids.js';

/** An event type (or other artifact): its id and generation. */
export interface Artifact {
  readonly id: ArtifactId;
  readonly generation: number;
}
