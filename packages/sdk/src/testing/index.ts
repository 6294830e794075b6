/*
 * `@dolittle-ts/sdk/testing`: given/when/then for aggregates, projections and event handlers (in memory, through
 * the client's own code paths), and an in-process Runtime for integration tests. Uses `node:assert`.
 */
export { type AggregateOutcome, AggregateScenario, AggregateWhen, aggregateScenario } from './aggregate-scenario.js';
export { EventHandlerScenario, eventHandlerScenario, type HandlerFailure } from './event-handler-scenario.js';
export { createTestRuntime, eventually, type TestRuntime, type TestRuntimeOptions } from './in-process-runtime.js';
export { ProjectionScenario, projectionScenario } from './projection-scenario.js';
