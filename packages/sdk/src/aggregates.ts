/*
 * Aggregates as plain definitions: an initial state, how each event changes it (`on`), and commands that decide
 * which events to apply. `client.aggregates.get(Kitchen, id).prepareDish(args)` loads the instance's events
 * (FetchForAggregate), folds them into its state, runs the command (each `apply` changes the state at once), and
 * commits the applied events with the version it loaded. When someone else committed meanwhile, it rejects with
 * AggregateRootConcurrencyConflict, or, with `{ retry }`, loads again and re-runs the command.
 */
import { type AggregateRootId, createGuid, type EventSourceId } from '@dolittle-ts/fundamentals';
import type { CommittedEvent } from './committed-event.js';
import { abortedError, DolittleSdkError } from './errors.js';
import type { CommitOptions, EventStore } from './event-store.js';
import {
  type ContentOf,
  deserializeContent,
  type EventType,
  EventTypeIndex,
  type EventTypeMap,
  type NewEvent,
} from './event-types.js';
import { type GuidLike, toAggregateRootId, toEventSourceId } from './ids.js';
import type { CallOptions, StoredEvent } from './transport/transport.js';

/** What a command sees: the state so far, and `apply` to add an event (its `on` runs at once). */
export interface AggregateContext<State, Events extends EventTypeMap> {
  readonly state: State;
  readonly eventSourceId: EventSourceId;
  /** The version loaded plus the events applied so far. */
  readonly version: number;
  apply<E extends Events[keyof Events]>(type: E, content: ContentOf<E>, options?: { readonly public?: boolean }): void;
}

export type AggregateOn<State, Events extends EventTypeMap> = {
  readonly [Name in keyof Events]?: (state: State, event: ContentOf<Events[Name]>) => State;
};

export type AggregateCommand<State, Events extends EventTypeMap> = (
  context: AggregateContext<State, Events>,
  // biome-ignore lint/suspicious/noExplicitAny: a command's arguments are whatever the command declares
  args: any,
) => unknown;

export type AggregateCommands<State, Events extends EventTypeMap> = {
  readonly [name: string]: AggregateCommand<State, Events>;
};

const reservedNames = new Set(['perform', 'load', 'eventSourceId', 'definition']);

export interface AggregateOptions<State, Events extends EventTypeMap, Commands> {
  readonly id: GuidLike;
  readonly events: Events;
  readonly initial: State;
  /** How each event changes the state. Events without an entry leave it as it is. */
  readonly on: AggregateOn<State, Events>;
  readonly commands?: Commands;
  readonly alias?: string;
}

export interface AggregateDefinition<
  State = unknown,
  Events extends EventTypeMap = EventTypeMap,
  Commands extends AggregateCommands<State, Events> = AggregateCommands<State, Events>,
> {
  readonly kind: 'aggregate';
  readonly id: AggregateRootId;
  readonly alias: string | undefined;
  readonly events: Events;
  readonly initial: State;
  readonly on: AggregateOn<State, Events>;
  readonly commands: Commands;
  /** @internal */
  readonly index: EventTypeIndex;
}

export function defineAggregate<
  State,
  const Events extends EventTypeMap,
  Commands extends AggregateCommands<State, Events>,
>(
  options: AggregateOptions<State, Events, Commands> & { readonly commands: Commands },
): AggregateDefinition<State, Events, Commands>;
/** An aggregate without commands: use `perform(action)` on its instances. */
export function defineAggregate<State, const Events extends EventTypeMap>(
  options: Omit<AggregateOptions<State, Events, never>, 'commands'>,
): AggregateDefinition<State, Events, {}>;
export function defineAggregate<
  State,
  const Events extends EventTypeMap,
  Commands extends AggregateCommands<State, Events>,
>(options: AggregateOptions<State, Events, Commands>): AggregateDefinition<State, Events, Commands> {
  const commands = (options.commands ?? {}) as Commands;
  for (const [name, command] of Object.entries(commands)) {
    if (reservedNames.has(name)) {
      throw new TypeError(`defineAggregate: a command cannot be named ${name} (it is a method of every instance)`);
    }
    if (typeof command !== 'function') throw new TypeError(`defineAggregate: commands.${name} must be a function`);
  }
  return Object.freeze({
    kind: 'aggregate',
    id: toAggregateRootId(options.id, 'defineAggregate({ id })'),
    alias: options.alias,
    events: options.events,
    initial: options.initial,
    on: options.on,
    commands,
    index: new EventTypeIndex(options.events),
  });
}

export interface PerformOptions extends CommitOptions {
  /**
   * On AggregateRootConcurrencyConflict, load again and re-run the action: `true` = 3 more times, a number = that
   * many more times. Default: no retry (the conflict is thrown).
   */
  readonly retry?: boolean | number;
}

export interface Performed<State, Result> {
  /** What the action returned. */
  readonly result: Result;
  readonly state: State;
  /** The instance's version after the commit. */
  readonly version: number;
  /** The events committed (none when the action applied none). */
  readonly events: readonly CommittedEvent<unknown>[];
}

export interface LoadedAggregate<State> {
  readonly state: State;
  readonly version: number;
}

type CommandMethods<State, Commands> = {
  readonly [K in keyof Commands]: Commands[K] extends (context: never, ...rest: infer Rest) => infer Result
    ? Rest extends [] | [undefined?]
      ? (args?: undefined, options?: PerformOptions) => Promise<Performed<State, Awaited<Result>>>
      : (args: Rest[0], options?: PerformOptions) => Promise<Performed<State, Awaited<Result>>>
    : never;
};

export type AggregateInstance<State, Events extends EventTypeMap, Commands> = {
  readonly eventSourceId: EventSourceId;
  readonly definition: AggregateDefinition<State, Events, AggregateCommands<State, Events>>;
  /** The current state and version. */
  load(options?: CallOptions): Promise<LoadedAggregate<State>>;
  /** Runs an ad-hoc action like a command. */
  perform<Result>(
    action: (context: AggregateContext<State, Events>) => Result | Promise<Result>,
    options?: PerformOptions,
  ): Promise<Performed<State, Awaited<Result>>>;
} & CommandMethods<State, Commands>;

/** Folds stored events into a state with the definition's `on` (content parsed and, when asked, validated). */
export async function foldEvents<State>(
  definition: AggregateDefinition<State, EventTypeMap, AggregateCommands<State, EventTypeMap>>,
  events: readonly StoredEvent[],
): Promise<State> {
  let state = structuredClone(definition.initial);
  for (const event of events) {
    const name = definition.index.nameOf(event.type);
    if (name === undefined) continue;
    const on = definition.on[name];
    if (on === undefined) continue;
    const type = definition.events[name] as EventType<unknown>;
    state = on(state, await deserializeContent(type, event.content));
  }
  return state;
}

/** Runs an action against a state: the pure part of perform, shared with the testing kit. */
export async function runAction<State, Result>(
  definition: AggregateDefinition<State, EventTypeMap, AggregateCommands<State, EventTypeMap>>,
  loaded: { state: State; version: number; eventSourceId: EventSourceId },
  action: (context: AggregateContext<State, EventTypeMap>) => Result | Promise<Result>,
): Promise<{ result: Awaited<Result>; state: State; applied: NewEvent<unknown>[] }> {
  let state = loaded.state;
  const applied: NewEvent<unknown>[] = [];
  const context: AggregateContext<State, EventTypeMap> = {
    get state() {
      return state;
    },
    eventSourceId: loaded.eventSourceId,
    get version() {
      return loaded.version + applied.length;
    },
    apply(type, content, options) {
      const name = definition.index.nameOf(type.artifact);
      if (name === undefined) {
        throw new DolittleSdkError(
          'UnknownEventType',
          `aggregate ${definition.alias ?? definition.id} cannot apply ${String(type)}: it is not in its events`,
        );
      }
      const on = definition.on[name];
      if (on !== undefined) state = on(state, content);
      applied.push(
        type.create(
          content,
          loaded.eventSourceId,
          options?.public === undefined ? undefined : { public: options.public },
        ),
      );
    },
  };
  const result = await action(context);
  return { result, state, applied };
}

/** The aggregates of one tenant. */
export class Aggregates {
  readonly #eventStore: EventStore;

  constructor(eventStore: EventStore) {
    this.#eventStore = eventStore;
  }

  /** The instance `eventSourceId` of the aggregate (a new random one when omitted). */
  get<State, Events extends EventTypeMap, Commands extends AggregateCommands<State, Events>>(
    definition: AggregateDefinition<State, Events, Commands>,
    eventSourceId?: GuidLike,
  ): AggregateInstance<State, Events, Commands> {
    const source = toEventSourceId(eventSourceId ?? createGuid());
    const def = definition as unknown as AggregateDefinition<
      State,
      EventTypeMap,
      AggregateCommands<State, EventTypeMap>
    >;
    const store = this.#eventStore;

    const load = async (options?: CallOptions) => {
      const fetched = await store.fetchStoredForAggregate(def.id, source, options);
      return { state: await foldEvents(def, fetched.events), version: fetched.version };
    };

    const perform = async <Result>(
      action: (context: AggregateContext<State, EventTypeMap>) => Result | Promise<Result>,
      options: PerformOptions = {},
    ): Promise<Performed<State, Awaited<Result>>> => {
      const retries = options.retry === true ? 3 : typeof options.retry === 'number' ? options.retry : 0;
      for (let attempt = 0; ; attempt++) {
        if (options.signal?.aborted) throw abortedError(options.signal, `aggregate ${def.alias ?? def.id}`);
        const loaded = await load(options);
        const { result, state, applied } = await runAction(def, { ...loaded, eventSourceId: source }, action);
        if (applied.length === 0) return { result, state, version: loaded.version, events: [] };
        try {
          const committed = await store.commitForAggregate(def.id, source, loaded.version, applied, options);
          return { result, state, version: committed.version, events: committed.events };
        } catch (error) {
          const conflict = error instanceof DolittleSdkError && error.code === 'AggregateRootConcurrencyConflict';
          if (!conflict || attempt >= retries) throw error;
        }
      }
    };

    const instance: Record<string, unknown> = {
      eventSourceId: source,
      definition: def,
      load,
      perform,
    };
    for (const [name, command] of Object.entries(def.commands)) {
      instance[name] = (args: unknown, options?: PerformOptions) =>
        perform((context) => command(context, args), options);
    }
    return Object.freeze(instance) as AggregateInstance<State, Events, Commands>;
  }
}
