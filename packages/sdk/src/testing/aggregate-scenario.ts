/*
 * Given events, when a command (or any action), then these events, this state, or this error: an aggregate's
 * behaviour tested in memory, through the same folding and `apply` code the client runs.
 */
import assert from 'node:assert/strict';
import { createGuid, type EventSourceId } from '@dolittle-ts/fundamentals';
import {
  type AggregateCommands,
  type AggregateContext,
  type AggregateDefinition,
  type AggregateInstance,
  foldEvents,
  type Performed,
  runAction,
} from '../aggregates.js';
import type { EventTypeMap, NewEvent } from '../event-types.js';
import { type GuidLike, toEventSourceId } from '../ids.js';
import { storeEvents } from './stored-events.js';

export interface AggregateOutcome<State> {
  /** The events the action applied (none when it threw). */
  readonly events: readonly NewEvent<unknown>[];
  /** The state after the action (the given state when it threw). */
  readonly state: State;
  /** What the action threw, if it did. */
  readonly error: unknown;
  readonly failed: boolean;
}

/** Events as `{ type, content }` pairs, for comparing what was applied with what was expected. */
function comparable(events: readonly NewEvent<unknown>[]) {
  return events.map((event) => ({ type: String(event.type), content: event.content, public: event.public }));
}

export class AggregateWhen<State> {
  readonly #run: () => Promise<AggregateOutcome<State>>;

  constructor(run: () => Promise<AggregateOutcome<State>>) {
    this.#run = run;
  }

  /** The outcome, for assertions of your own. */
  outcome(): Promise<AggregateOutcome<State>> {
    return this.#run();
  }

  /** Asserts the action applied exactly these events (type, content and public flag), in this order. */
  async thenApplied(...expected: NewEvent<unknown>[]): Promise<AggregateOutcome<State>> {
    const outcome = await this.#run();
    if (outcome.failed) assert.fail(`expected events, but the action threw: ${String(outcome.error)}`);
    assert.deepStrictEqual(comparable(outcome.events), comparable(expected));
    return outcome;
  }

  /** Asserts the action applied nothing and did not throw. */
  async thenNothingApplied(): Promise<void> {
    await this.thenApplied();
  }

  /** Asserts the state after the action. */
  async thenState(expected: State): Promise<AggregateOutcome<State>> {
    const outcome = await this.#run();
    if (outcome.failed) assert.fail(`expected a state, but the action threw: ${String(outcome.error)}`);
    assert.deepStrictEqual(outcome.state, expected);
    return outcome;
  }

  /** Asserts the action threw (matching `expected` like `assert.throws`) and so applied nothing. */
  async thenFails(
    expected?: RegExp | (new (...args: never[]) => Error) | ((error: unknown) => boolean),
  ): Promise<unknown> {
    const outcome = await this.#run();
    if (!outcome.failed) {
      assert.fail(`expected the action to fail, but it applied ${JSON.stringify(comparable(outcome.events))}`);
    }
    if (expected !== undefined) {
      assert.throws(() => {
        throw outcome.error;
      }, expected as RegExp);
    }
    return outcome.error;
  }
}

export class AggregateScenario<State, Events extends EventTypeMap, Commands extends AggregateCommands<State, Events>> {
  readonly #definition: AggregateDefinition<State, Events, Commands>;
  readonly #given: readonly NewEvent<unknown>[];
  readonly #eventSourceId: EventSourceId;

  constructor(
    definition: AggregateDefinition<State, Events, Commands>,
    given: readonly NewEvent<unknown>[],
    eventSourceId: EventSourceId,
  ) {
    this.#definition = definition;
    this.#given = given;
    this.#eventSourceId = eventSourceId;
  }

  /** Events the aggregate root instance already has (made with `Type.create(content)`). */
  given(...events: NewEvent<unknown>[]): AggregateScenario<State, Events, Commands> {
    return new AggregateScenario(this.#definition, [...this.#given, ...events], this.#eventSourceId);
  }

  /** Runs one command (or any action) against the instance: `.when((kitchen) => kitchen.prepareDish(args))`. */
  when(action: (instance: AggregateInstance<State, Events, Commands>) => Promise<unknown>): AggregateWhen<State> {
    const definition = this.#definition as unknown as AggregateDefinition<
      State,
      EventTypeMap,
      AggregateCommands<State, EventTypeMap>
    >;
    const eventSourceId = this.#eventSourceId;
    const given = this.#given;
    return new AggregateWhen(async () => {
      const stored = await storeEvents(given, { eventSourceId });
      const initial = await foldEvents(definition, stored);
      let outcome: { events: NewEvent<unknown>[]; state: State } = { events: [], state: initial };
      const perform = async <Result>(
        run: (context: AggregateContext<State, EventTypeMap>) => Result | Promise<Result>,
      ) => {
        const done = await runAction(definition, { state: initial, version: stored.length, eventSourceId }, run);
        outcome = { events: done.applied, state: done.state };
        return {
          result: done.result,
          state: done.state,
          version: stored.length + done.applied.length,
          events: [],
        } satisfies Performed<State, Awaited<Result>>;
      };
      const instance: Record<string, unknown> = {
        eventSourceId,
        definition,
        load: async () => ({ state: initial, version: stored.length }),
        perform,
      };
      for (const [name, command] of Object.entries(definition.commands)) {
        instance[name] = (args: unknown) => perform((context) => command(context, args));
      }
      try {
        await action(instance as AggregateInstance<State, Events, Commands>);
        return { ...outcome, error: undefined, failed: false };
      } catch (error) {
        return { events: [], state: initial, error, failed: true };
      }
    });
  }
}

/** Starts a given/when/then test of an aggregate. */
export function aggregateScenario<
  State,
  Events extends EventTypeMap,
  Commands extends AggregateCommands<State, Events>,
>(
  definition: AggregateDefinition<State, Events, Commands>,
  options: { readonly eventSourceId?: GuidLike } = {},
): AggregateScenario<State, Events, Commands> {
  return new AggregateScenario(definition, [], toEventSourceId(options.eventSourceId ?? createGuid()));
}
