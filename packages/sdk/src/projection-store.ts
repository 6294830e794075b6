import { type CorrelationId, createGuid, type TenantId } from '@dolittle-ts/fundamentals';
import type { EventTypeMap } from './event-types.js';
import type { ProjectionDefinition } from './projections.js';
import type { CallOptions, Transport } from './transport/transport.js';

export interface ReadModel<State> {
  readonly key: string;
  readonly state: State;
  /** `initial`: no event has been projected for this key yet; `state` is the projection's initial state. */
  readonly type: 'initial' | 'persisted';
}

/** The read models of one tenant's projections. */
export class ProjectionStore {
  readonly tenant: TenantId;
  readonly #transport: Transport;

  constructor(transport: Transport, tenant: TenantId) {
    this.#transport = transport;
    this.tenant = tenant;
  }

  /** The read model for `key`, or the initial state when there is none. */
  async get<State>(
    projection: ProjectionDefinition<State, EventTypeMap>,
    key: string,
    options?: CallOptions,
  ): Promise<ReadModel<State>> {
    const read = await this.#transport.getProjection(this.#context(), projection.scope, projection.id, key, options);
    return { key: read.key, state: JSON.parse(read.state) as State, type: read.type };
  }

  /** Every stored read model, by key. */
  async getAll<State>(
    projection: ProjectionDefinition<State, EventTypeMap>,
    options?: CallOptions,
  ): Promise<Map<string, State>> {
    const all = await this.#transport.getAllProjections(this.#context(), projection.scope, projection.id, options);
    return new Map(all.map((read) => [read.key, JSON.parse(read.state) as State]));
  }

  #context() {
    return { tenant: this.tenant, correlationId: createGuid() as string as CorrelationId };
  }
}
