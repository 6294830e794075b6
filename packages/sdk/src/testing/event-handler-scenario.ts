/*
 * Given events, when handled: runs an event handler's functions over events in memory, the way the Runtime would
 * call them (partition by event source when partitioned), and reports which failed.
 */
import assert from 'node:assert/strict';
import { developmentTenant, type PartitionId, unspecifiedPartition } from '@dolittle-ts/fundamentals';
import { type EventHandlerDefinition, eventHandlerProcessor } from '../event-handlers.js';
import type { EventTypeMap, NewEvent } from '../event-types.js';
import { silentLogger } from '../logger.js';
import { storeEvents } from './stored-events.js';

export interface HandlerFailure {
  readonly event: NewEvent<unknown>;
  readonly reason: string;
}

export class EventHandlerScenario {
  readonly #definition: EventHandlerDefinition;
  readonly #given: readonly NewEvent<unknown>[];

  constructor(definition: EventHandlerDefinition, given: readonly NewEvent<unknown>[]) {
    this.#definition = definition;
    this.#given = given;
  }

  given(...events: NewEvent<unknown>[]): EventHandlerScenario {
    return new EventHandlerScenario(this.#definition, [...this.#given, ...events]);
  }

  /** Handles every given event the handler handles, in order; resolves with the failures (none: all handled). */
  async handle(): Promise<HandlerFailure[]> {
    const processor = eventHandlerProcessor(this.#definition, silentLogger);
    const handled = new Set(processor.types.map((type) => type.id as string));
    const failures: HandlerFailure[] = [];
    const stored = await storeEvents(this.#given);
    const signal = new AbortController().signal;
    for (const [i, event] of stored.entries()) {
      if (!handled.has(event.type.id)) continue;
      const partition = this.#definition.partitioned
        ? (event.eventSourceId as string as PartitionId)
        : unspecifiedPartition;
      const outcome = await processor.handle(
        event,
        { partition, scope: this.#definition.scope },
        { tenant: developmentTenant, retry: undefined, signal },
      );
      if (outcome.kind === 'failed')
        failures.push({ event: this.#given[i] as NewEvent<unknown>, reason: outcome.reason });
    }
    return failures;
  }

  /** Asserts every given event was handled without failing. */
  async thenSucceeds(): Promise<void> {
    const failures = await this.handle();
    assert.deepStrictEqual(
      failures.map((f) => f.reason),
      [],
      'the event handler failed',
    );
  }

  /** Asserts the handler failed on at least one event, with a reason matching `expected`. */
  async thenFails(expected?: RegExp): Promise<HandlerFailure[]> {
    const failures = await this.handle();
    assert.ok(failures.length > 0, 'expected the event handler to fail, but it handled every event');
    if (expected !== undefined)
      assert.ok(
        failures.some((f) => expected.test(f.reason)),
        `no failure matched ${expected}: ${failures.map((f) => f.reason).join('; ')}`,
      );
    return failures;
  }
}

export function eventHandlerScenario<Events extends EventTypeMap>(
  definition: EventHandlerDefinition<Events>,
): EventHandlerScenario {
  return new EventHandlerScenario(definition as unknown as EventHandlerDefinition, []);
}
