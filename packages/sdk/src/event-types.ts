/*
 * Event types as plain typed values: `defineEventType<Content>({ id })` (or with a Standard Schema, whose output
 * type becomes the content type). Definitions that handle events take a map of them (`events: { DishPrepared }`);
 * the map's keys name the handlers, so everything downstream is typed by the map.
 */
import type { Artifact, ArtifactId, EventSourceId } from '@dolittle-ts/fundamentals';
import { type GuidLike, toArtifactId, toEventSourceId } from './ids.js';
import { type StandardSchemaV1, validateContent } from './schema.js';

/** When content is checked against the event type's schema. */
export type ValidateOn = 'commit-and-receipt' | 'commit' | 'receipt' | 'never';

export interface EventTypeOptions<Content> {
  readonly id: GuidLike;
  /** Default 1. */
  readonly generation?: number;
  /** A readable name for messages and tooling. */
  readonly alias?: string;
  /** Commit as public (visible to public filters, and so to the event horizon) unless the commit says otherwise. */
  readonly public?: boolean;
  readonly schema?: StandardSchemaV1<unknown, Content>;
  /** Default `commit-and-receipt` when a schema is given. */
  readonly validate?: ValidateOn;
}

/** An event to commit: its type, its content, and (for the event store) its event source. */
export interface NewEvent<Content = unknown> {
  readonly type: EventType<Content>;
  readonly content: Content;
  readonly eventSourceId: EventSourceId | undefined;
  readonly public: boolean;
}

export interface EventType<Content = unknown> {
  readonly kind: 'event-type';
  readonly id: ArtifactId;
  readonly generation: number;
  readonly alias: string | undefined;
  readonly public: boolean;
  readonly schema: StandardSchemaV1<unknown, Content> | undefined;
  readonly validate: ValidateOn;
  readonly artifact: Artifact;
  /** An event of this type, for `eventStore.commit([...])` or a test's `given(...)`. */
  create(content: Content, eventSourceId?: GuidLike, options?: { readonly public?: boolean }): NewEvent<Content>;
  /** `alias@generation` or `id@generation`. */
  toString(): string;
}

// biome-ignore lint/suspicious/noExplicitAny: a map of event types of any content; each entry stays precisely typed
export type EventTypeMap = { readonly [name: string]: EventType<any> };

export type ContentOf<E> = E extends EventType<infer C> ? C : never;

export function defineEventType<Content>(options: EventTypeOptions<Content>): EventType<Content> {
  const id = toArtifactId(options.id, 'defineEventType({ id })');
  const generation = options.generation ?? 1;
  if (!Number.isInteger(generation) || generation < 0) {
    throw new TypeError(`defineEventType({ generation }) must be a non-negative integer, was ${generation}`);
  }
  const type: EventType<Content> = {
    kind: 'event-type',
    id,
    generation,
    alias: options.alias,
    public: options.public ?? false,
    schema: options.schema,
    validate: options.schema === undefined ? 'never' : (options.validate ?? 'commit-and-receipt'),
    artifact: { id, generation },
    create: (content, eventSourceId, createOptions) => ({
      type,
      content,
      eventSourceId: eventSourceId === undefined ? undefined : toEventSourceId(eventSourceId),
      public: createOptions?.public ?? type.public,
    }),
    toString: () => `${options.alias ?? id}@${generation}`,
  };
  return Object.freeze(type);
}

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'event-type';
}

/** The content as JSON, validated against the schema first when the type asks for it. */
export async function serializeContent<T>(type: EventType<T>, content: T): Promise<string> {
  const checked =
    type.schema !== undefined && (type.validate === 'commit-and-receipt' || type.validate === 'commit')
      ? await validateContent(type.schema, content, String(type), 'commit')
      : content;
  const json = JSON.stringify(checked);
  if (json === undefined) throw new TypeError(`content of ${String(type)} cannot be serialized to JSON`);
  return json;
}

/** Parses received content, validated against the schema when the type asks for it. */
export async function deserializeContent<T>(type: EventType<T>, content: string): Promise<T> {
  const parsed: unknown = JSON.parse(content);
  if (type.schema !== undefined && (type.validate === 'commit-and-receipt' || type.validate === 'receipt')) {
    return validateContent(type.schema, parsed, String(type), 'receipt');
  }
  return parsed as T;
}

/** Looks up the entry of an event-type map for a received artifact: exact generation first, then any generation. */
export class EventTypeIndex {
  readonly #exact = new Map<string, string>();
  readonly #byId = new Map<string, string>();
  readonly types: EventTypeMap;

  constructor(types: EventTypeMap) {
    this.types = types;
    for (const [name, type] of Object.entries(types)) {
      if (!isEventType(type)) throw new TypeError(`events.${name} is not an event type (use defineEventType)`);
      const key = `${type.id}/${type.generation}`;
      if (this.#exact.has(key)) throw new TypeError(`events.${name}: ${String(type)} is listed twice`);
      this.#exact.set(key, name);
      if (!this.#byId.has(type.id)) this.#byId.set(type.id, name);
    }
  }

  nameOf(artifact: Artifact): string | undefined {
    return this.#exact.get(`${artifact.id}/${artifact.generation}`) ?? this.#byId.get(artifact.id);
  }

  /** The distinct artifacts, for registrations. */
  artifacts(): Artifact[] {
    return Object.values(this.types).map((type) => type.artifact);
  }
}
