/*
 * Given events, then these read models: a projection tested in memory through the same code the client registers
 * with the Runtime, keyed the way the Runtime keys it.
 */
import assert from 'node:assert/strict';
import { developmentTenant, unspecifiedPartition } from '@dolittle-ts/fundamentals';
import type { EventTypeMap, NewEvent } from '../event-types.js';
import { silentLogger } from '../logger.js';
import { type ProjectionDefinition, projectionProcessor } from '../projections.js';
import type { StoredEvent } from '../transport/transport.js';
import { storeEvents } from './stored-events.js';

function keyOf(
  selector: { kind: 'event-source' } | { kind: 'partition' } | { kind: 'property'; property: string },
  event: StoredEvent,
): string {
  switch (selector.kind) {
    case 'event-source':
      return event.eventSourceId;
    case 'partition':
      return unspecifiedPartition;
    case 'property': {
      const value = (JSON.parse(event.content) as Record<string, unknown>)[selector.property];
      if (value === undefined || value === null) {
        throw new Error(
          `event ${event.sequenceNumber} has no property '${selector.property}' to key the read model on`,
        );
      }
      return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
  }
}

export class ProjectionScenario<State> {
  readonly #definition: ProjectionDefinition<State, EventTypeMap>;
  readonly #given: readonly NewEvent<unknown>[];

  constructor(definition: ProjectionDefinition<State, EventTypeMap>, given: readonly NewEvent<unknown>[]) {
    this.#definition = definition;
    this.#given = given;
  }

  /** Events in commit order (`Type.create(content, eventSourceId)`; a random event source when omitted). */
  given(...events: NewEvent<unknown>[]): ProjectionScenario<State> {
    return new ProjectionScenario(this.#definition, [...this.#given, ...events]);
  }

  /** Projects the given events; resolves with the read models by key. Rejects if the projection fails on one. */
  async readModels(): Promise<Map<string, State>> {
    const processor = projectionProcessor(this.#definition as ProjectionDefinition, silentLogger);
    const selectors = new Map(processor.selectors.map((s) => [`${s.type.id}`, s.key]));
    const states = new Map<string, string>();
    const signal = new AbortController().signal;
    for (const event of await storeEvents(this.#given)) {
      const selector = selectors.get(event.type.id);
      if (selector === undefined) continue;
      const key = keyOf(selector, event);
      const stored = states.get(key);
      const outcome = await processor.project(
        { key, state: stored ?? processor.initialState, type: stored === undefined ? 'initial' : 'persisted' },
        event,
        { tenant: developmentTenant, retry: undefined, signal },
      );
      if (outcome.kind === 'failed')
        throw new Error(`the projection failed on event ${event.sequenceNumber}: ${outcome.reason}`);
      if (outcome.kind === 'delete') states.delete(key);
      else states.set(key, outcome.state);
    }
    return new Map([...states].map(([key, state]) => [key, JSON.parse(state) as State]));
  }

  /** Asserts the read model of `key` (or that there is none, with `undefined`). */
  async thenReadModel(key: string, expected: State | undefined): Promise<void> {
    const models = await this.readModels();
    assert.deepStrictEqual(models.get(key), expected);
  }

  /** Asserts all read models, by key. */
  async thenReadModels(expected: Readonly<Record<string, State>>): Promise<void> {
    const models = await this.readModels();
    assert.deepStrictEqual(Object.fromEntries(models), expected);
  }
}

export function projectionScenario<State, Events extends EventTypeMap>(
  definition: ProjectionDefinition<State, Events>,
): ProjectionScenario<State> {
  return new ProjectionScenario(definition as unknown as ProjectionDefinition<State, EventTypeMap>, []);
}
