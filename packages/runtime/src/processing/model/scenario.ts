import fc from 'fast-check';

/*
 * Generated scenarios for the property-based tests of the stream processors: what is committed (and when), how
 * the simulated head answers each event, and when the processor is restarted. Everything is plain data so that
 * fast-check can shrink it and print it.
 */

/** How long the simulated head takes to answer: at once, after the next turn of the event loop, or 1–3 ms. */
export type Latency = 'sync' | 'immediate' | 'timer';

export interface PlannedEvent {
  /** Index of the event source (= the partition of a partitioned handler). */
  readonly source: number;
  /** Index of the event type; the handler handles `handledTypes` only. */
  readonly type: number;
  /** How many times the head fails this event (always with retry = true) before it succeeds. */
  readonly failures: number;
  readonly retryAfterMs: number;
  readonly latency: Latency;
}

export type Step =
  /** Commits written at once (the Committer groups them into one batch when it can). */
  | { readonly kind: 'commit'; readonly commits: readonly (readonly PlannedEvent[])[] }
  /** Lets the processor run for a while before the next step. */
  | { readonly kind: 'pause'; readonly ms: number }
  /** Aborts the processor's signal and starts it again from the persisted state (reopening a file store). */
  | { readonly kind: 'restart' };

export interface Scenario {
  readonly steps: readonly Step[];
}

export const eventSourceCount = 5;
export const eventTypeCount = 4;
/** The event types the handler is registered for; events of the others must never reach it. */
export const handledTypes: ReadonlySet<number> = new Set([0, 1]);

export interface ScenarioLimits {
  /** Most events in a scenario (later steps are dropped past it). */
  readonly maxEvents: number;
  readonly maxSteps: number;
  readonly restarts: boolean;
  readonly maxFailures: number;
  readonly maxRetryAfterMs: number;
}

export const defaultLimits: ScenarioLimits = {
  maxEvents: 200,
  maxSteps: 30,
  restarts: true,
  maxFailures: 3,
  maxRetryAfterMs: 30,
};

export function plannedEventArbitrary(limits: ScenarioLimits): fc.Arbitrary<PlannedEvent> {
  return fc.record({
    source: fc.nat({ max: eventSourceCount - 1 }),
    type: fc.nat({ max: eventTypeCount - 1 }),
    failures: fc.oneof(
      { weight: 4, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: limits.maxFailures }) },
    ),
    retryAfterMs: fc.integer({ min: 0, max: limits.maxRetryAfterMs }),
    latency: fc.constantFrom<Latency>('sync', 'immediate', 'timer'),
  });
}

export function scenarioArbitrary(overrides: Partial<ScenarioLimits> = {}): fc.Arbitrary<Scenario> {
  const limits = { ...defaultLimits, ...overrides };
  const event = plannedEventArbitrary(limits);
  const commit = fc
    .array(fc.array(event, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 })
    .map((commits): Step => ({ kind: 'commit', commits }));
  const pause = fc.integer({ min: 0, max: 10 }).map((ms): Step => ({ kind: 'pause', ms }));
  const restart = fc.constant<Step>({ kind: 'restart' });
  const step = limits.restarts
    ? fc.oneof({ weight: 5, arbitrary: commit }, { weight: 3, arbitrary: pause }, { weight: 1, arbitrary: restart })
    : fc.oneof({ weight: 5, arbitrary: commit }, { weight: 3, arbitrary: pause });
  return fc
    .array(step, { minLength: 1, maxLength: limits.maxSteps, size: 'medium' })
    .map((steps) => ({ steps: capEvents(steps, limits.maxEvents) }));
}

function capEvents(steps: readonly Step[], maxEvents: number): Step[] {
  const kept: Step[] = [];
  let events = 0;
  for (const step of steps) {
    if (step.kind === 'commit') {
      const count = step.commits.reduce((sum, commit) => sum + commit.length, 0);
      if (events + count > maxEvents) break;
      events += count;
    }
    kept.push(step);
  }
  return kept;
}

/** The planned events in the order they are committed (their index is the `n` in each event's content). */
export function plannedEvents(scenario: Scenario): PlannedEvent[] {
  return scenario.steps.flatMap((step) => (step.kind === 'commit' ? step.commits.flat() : []));
}

export interface ScenarioStats {
  readonly events: number;
  readonly handled: number;
  readonly plannedFailures: number;
  readonly restarts: number;
}

export function scenarioStats(scenario: Scenario): ScenarioStats {
  const events = plannedEvents(scenario);
  const handled = events.filter((e) => handledTypes.has(e.type));
  return {
    events: events.length,
    handled: handled.length,
    plannedFailures: handled.reduce((sum, e) => sum + e.failures, 0),
    restarts: scenario.steps.filter((s) => s.kind === 'restart').length,
  };
}
