import type { AggregateRootVersion, EventSourceId } from '@dolittle-ts/fundamentals';
import type { EmbeddingEvent, EmbeddingHead, HeadCallContext } from './embedding-head.js';
import { type EmbeddingCurrentState, exists } from './embedding-state.js';
import { jsonEqual } from './json-equal.js';

export interface ProjectionOptions {
  readonly eventSourceId: EventSourceId;
  readonly initialState: string;
  readonly context: HeadCallContext;
  /** Event type ids the head projects; events of other types only move the version on. Undefined: all. */
  readonly types?: ReadonlySet<string> | undefined;
}

export interface Projected {
  /** The state after the events that were projected (all of them unless `failure` is set). */
  readonly current: EmbeddingCurrentState;
  /** How many of the events were projected. */
  readonly projected: number;
  /** Why the head could not project the next event. */
  readonly failure?: string;
}

/**
 * Projects events one by one through the head, each onto the state the previous one produced; every event moves
 * the version on by one. Stops at the first event the head fails on.
 */
export async function projectEvents(
  head: EmbeddingHead,
  start: EmbeddingCurrentState,
  events: readonly EmbeddingEvent[],
  options: ProjectionOptions,
): Promise<Projected> {
  let current = start;
  for (const [index, event] of events.entries()) {
    const version = (current.version + 1) as AggregateRootVersion;
    if (options.types !== undefined && !options.types.has(event.type.id)) {
      current = { ...current, version };
      continue;
    }
    const answer = await head.project(current, { ...event, eventSourceId: options.eventSourceId }, options.context);
    if (!answer.ok) return { current, projected: index, failure: answer.reason };
    const { key } = current;
    current =
      answer.value.kind === 'replace'
        ? { type: 'persisted', key, state: answer.value.state, version }
        : { type: 'deleted', key, state: options.initialState, lastState: lastStateOf(current), version };
  }
  return { current, projected: events.length };
}

/** The read model a delete removes (or the one an earlier delete removed). */
function lastStateOf(current: EmbeddingCurrentState): string {
  return current.type === 'deleted' ? current.lastState : current.state;
}

export type TransitionGoal = { readonly kind: 'update'; readonly desired: string } | { readonly kind: 'delete' };

export type TransitionOutcome =
  | {
      readonly kind: 'reached';
      /** The state the events lead to, at version start.version + events.length. */
      readonly current: EmbeddingCurrentState;
      /** Everything the head asked to commit on the way, in order. Empty when the start already was the goal. */
      readonly events: readonly EmbeddingEvent[];
    }
  | { readonly kind: 'failed'; readonly reason: string; readonly loop: boolean };

export interface TransitionOptions extends ProjectionOptions {
  /** Most compare/delete rounds before giving up; a head that keeps producing new states never converges. */
  readonly maxRounds?: number;
}

/**
 * Dolittle's state-transition calculation (`StateTransitionEventsCalculator`): until the goal is reached, ask the head
 * for the events that lead towards it (compare or delete), and project them through the head to see where they
 * lead. If an intermediate state repeats one seen before (including the start), the head's events go round in a
 * circle, and the transition fails as a loop (Dolittle's EmbeddingLoopDetected). Nothing is committed or stored
 * here: the caller commits `events` as one aggregate commit.
 */
export async function transition(
  head: EmbeddingHead,
  start: EmbeddingCurrentState,
  goal: TransitionGoal,
  options: TransitionOptions,
): Promise<TransitionOutcome> {
  const maxRounds = options.maxRounds ?? 100;
  const seen: EmbeddingCurrentState[] = [start];
  const events: EmbeddingEvent[] = [];
  let current = start;
  for (let round = 0; ; round++) {
    if (reached(current, goal)) return { kind: 'reached', current, events };
    if (round >= maxRounds) {
      return {
        kind: 'failed',
        reason: `the embedding did not reach the ${goal.kind === 'update' ? 'desired' : 'deleted'} state after ${maxRounds} rounds of events from the head`,
        loop: true,
      };
    }
    const answer =
      goal.kind === 'update'
        ? await head.compare(current, goal.desired, options.context)
        : await head.delete(current, options.context);
    if (!answer.ok) {
      return {
        kind: 'failed',
        reason: `the head failed to ${goal.kind === 'update' ? 'compare the states' : 'delete the state'}: ${answer.reason}`,
        loop: false,
      };
    }
    const projected = await projectEvents(head, current, answer.value, { ...options, types: undefined });
    if (projected.failure !== undefined) {
      return {
        kind: 'failed',
        reason: `the head failed to project event ${projected.projected + 1} of the ${answer.value.length} it returned: ${projected.failure}`,
        loop: false,
      };
    }
    events.push(...answer.value);
    const next = projected.current;
    if (!reached(next, goal) && seen.some((state) => sameState(state, next))) {
      return {
        kind: 'failed',
        reason:
          answer.value.length === 0
            ? 'a loop was detected (EmbeddingLoopDetected): the head returned no events, so the state cannot change'
            : `a loop was detected (EmbeddingLoopDetected): the ${answer.value.length} event(s) the head returned lead back to a state it had before`,
        loop: true,
      };
    }
    seen.push(next);
    current = next;
  }
}

function reached(current: EmbeddingCurrentState, goal: TransitionGoal): boolean {
  return goal.kind === 'update' ? jsonEqual(current.state, goal.desired) : current.type === 'deleted';
}

function sameState(a: EmbeddingCurrentState, b: EmbeddingCurrentState): boolean {
  return exists(a) === exists(b) && jsonEqual(a.state, b.state);
}
