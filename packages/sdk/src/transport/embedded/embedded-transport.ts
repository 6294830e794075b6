/*
 * The Transport over a Runtime engine in this process (`@dolittle-ts/runtime/embedded`): the same event store,
 * processors and read models as a Runtime server, without gRPC. Requests reach the head as plain objects; content
 * stays JSON text so both transports behave alike (and validation runs in both).
 */
import { type ConsentId, developmentTenant, type ExecutionContext, type TenantId } from '@dolittle-ts/fundamentals';
import {
  type CommitOutcome,
  type CommittedEvent,
  type EmbeddedRuntime,
  type EmbeddedRuntimeOptions,
  type EmbeddedStore,
  type EmbeddingCurrentState,
  type EmbeddingHead,
  type HeadAnswer,
  startEmbeddedRuntime,
} from '@dolittle-ts/runtime/embedded';
import {
  AggregateRootConcurrencyConflict,
  abortedError,
  DolittleSdkError,
  embeddingError,
  errorFromRuntime,
} from '../../errors.js';
import type { Logger } from '../../logger.js';
import type {
  CallContext,
  CallOptions,
  EmbeddingEvent,
  EmbeddingEventsOutcome,
  EmbeddingProcessor,
  HeadIdentity,
  Processor,
  ProcessorConnection,
  ProcessorEnd,
  ReadModelState,
  StoredEvent,
  Transport,
} from '../transport.js';

export type { EmbeddedRuntime, EmbeddedStore } from '@dolittle-ts/runtime/embedded';

export interface EmbeddedTransportOptions {
  /** An in-process Runtime to use (not stopped on close), or the options to start one (stopped on close). */
  readonly runtime: EmbeddedRuntime | undefined;
  readonly store: EmbeddedStore | undefined;
  readonly tenants: readonly TenantId[] | undefined;
  readonly microservices: EmbeddedRuntimeOptions['microservices'] | undefined;
  readonly identity: HeadIdentity;
  readonly logger: Logger;
}

function storedEventOf(event: CommittedEvent): StoredEvent {
  return {
    sequenceNumber: event.sequenceNumber,
    occurred: event.occurred,
    eventSourceId: event.eventSourceId,
    executionContext: event.executionContext,
    type: event.type,
    public: event.public,
    content: event.content,
    external:
      event.external === undefined
        ? undefined
        : { sequenceNumber: event.external.sequenceNumber, received: event.external.received },
  };
}

/** Deleted and never-created read models both reach the head as the initial state (as over gRPC). */
function readModelOfCurrent(current: EmbeddingCurrentState): ReadModelState {
  return { key: current.key, state: current.state, type: current.type === 'persisted' ? 'persisted' : 'initial' };
}

function eventsAnswer(outcome: EmbeddingEventsOutcome): HeadAnswer<readonly EmbeddingEvent[]> {
  return outcome.kind === 'failed' ? { ok: false, reason: outcome.reason } : { ok: true, value: outcome.events };
}

/** The head of an embedding registered in-process: the Runtime's EmbeddingHead port over the SDK's processor. */
function embeddingHead(processor: EmbeddingProcessor): EmbeddingHead {
  return {
    async compare(current, desired, context) {
      return eventsAnswer(
        await processor.compare(readModelOfCurrent(current), desired, {
          tenant: context.executionContext.tenantId,
          retry: undefined,
          signal: context.signal,
        }),
      );
    },
    async delete(current, context) {
      return eventsAnswer(
        await processor.delete(readModelOfCurrent(current), {
          tenant: context.executionContext.tenantId,
          retry: undefined,
          signal: context.signal,
        }),
      );
    },
    async project(current, event, context) {
      const outcome = await processor.project(readModelOfCurrent(current), event, {
        tenant: context.executionContext.tenantId,
        retry: undefined,
        signal: context.signal,
      });
      return outcome.kind === 'failed' ? { ok: false, reason: outcome.reason } : { ok: true, value: outcome };
    },
  };
}

function describeStore(store: EmbeddedStore | undefined): string {
  if (store === undefined || store.kind === 'memory') return 'memory';
  return store.kind === 'sqlite' ? `sqlite ${store.directory}` : 'postgres';
}

export async function createEmbeddedTransport(options: EmbeddedTransportOptions): Promise<Transport> {
  const { identity } = options;
  const owned = options.runtime === undefined;
  const runtime =
    options.runtime ??
    (await startEmbeddedRuntime({
      store: options.store ?? { kind: 'memory' },
      tenants: options.tenants ?? [developmentTenant],
      microserviceId: identity.microserviceId,
      environment: identity.environment,
      ...(options.microservices === undefined ? {} : { microservices: options.microservices }),
    }));
  const closing = new AbortController();
  const running = new Set<Promise<unknown>>();

  const executionContext = (call: CallContext): ExecutionContext => ({
    microserviceId: identity.microserviceId,
    tenantId: call.tenant,
    version: identity.version,
    correlationId: call.correlationId,
    claims: [],
    environment: identity.environment,
  });

  /** Runs an in-process call; reads give up when `signal` aborts (writes always finish: they may have happened). */
  async function call<T>(what: string, signal: AbortSignal | undefined, work: () => Promise<T>, cancellable: boolean) {
    if (closing.signal.aborted) throw new DolittleSdkError('ClientClosed', `${what}: the client is closed`);
    if (signal?.aborted) throw abortedError(signal, what);
    const promise = work().catch((error: unknown) => {
      throw errorFromRuntime(error, what);
    });
    if (!cancellable || signal === undefined) return promise;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(abortedError(signal, what));
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  function outcomeOf(
    outcome: CommitOutcome,
    conflict: () => AggregateRootConcurrencyConflict | undefined,
    what: string,
  ) {
    if (outcome.ok) return outcome.events.map(storedEventOf);
    if (outcome.failure.kind === 'AggregateRootConcurrencyConflict') {
      throw conflict() ?? new DolittleSdkError('AggregateRootConcurrencyConflict', `${what}: concurrency conflict`);
    }
    throw new DolittleSdkError('NoEventsToCommit', `${what} failed: there are no events to commit`);
  }

  function register(processor: Processor): Promise<Awaited<ReturnType<EmbeddedRuntime['registerEventHandler']>>> {
    switch (processor.kind) {
      case 'event-handler':
        return runtime.registerEventHandler(
          {
            id: processor.id,
            scope: processor.scope,
            types: processor.types.map((t) => t.id),
            partitioned: processor.partitioned,
          },
          {
            process: (event, retry, context) =>
              processor.handle(
                storedEventOf(event.event),
                { partition: event.partition, scope: context.scope },
                { tenant: context.tenant, retry, signal: context.signal },
              ),
          },
        );
      case 'filter':
        return runtime.registerFilter(
          { id: processor.id, scope: processor.scope, kind: processor.filterKind },
          {
            filter: (event, retry, context) =>
              processor.filter(storedEventOf(event), { tenant: context.tenant, retry, signal: context.signal }),
          },
        );
      case 'projection':
        return runtime.registerProjection(
          {
            id: processor.id,
            scope: processor.scope,
            selectors: processor.selectors.map((s) => ({ type: s.type.id, key: s.key })),
            initialState: processor.initialState,
          },
          {
            project: (current, event, retry, context) =>
              processor.project(current, storedEventOf(event), {
                tenant: context.tenant,
                retry,
                signal: context.signal,
              }),
          },
        );
      case 'embedding':
        return runtime.registerEmbedding(
          { id: processor.id, events: processor.types, initialState: processor.initialState },
          embeddingHead(processor),
        );
    }
  }

  /** Runtime errors of an embedding call as the SDK's typed embedding errors. */
  function embeddingCall<T>(
    what: string,
    context: CallContext,
    embeddingId: string,
    key: string | undefined,
    signal: AbortSignal | undefined,
    work: () => Promise<T>,
    cancellable: boolean,
  ): Promise<T> {
    return call(
      what,
      signal,
      () =>
        work().catch((error: unknown) => {
          const code = (error as { code?: unknown } | null)?.code;
          const typed =
            typeof code === 'string'
              ? embeddingError(
                  code,
                  {
                    embeddingId,
                    tenantId: context.tenant,
                    key,
                    reason: error instanceof Error ? error.message : String(error),
                  },
                  { cause: error },
                )
              : undefined;
          throw typed ?? error;
        }),
      cancellable,
    );
  }

  const transport: Transport = {
    kind: 'embedded',
    description: `embedded (${describeStore(options.store)})`,

    commit: (context, events, callOptions?: CallOptions) =>
      call(
        'commit',
        callOptions?.signal,
        async () =>
          outcomeOf(
            await runtime.commit(context.tenant, {
              kind: 'events',
              executionContext: executionContext(context),
              events,
            }),
            () => undefined,
            'commit',
          ),
        false,
      ),

    commitForAggregate: (context, commit, callOptions) =>
      call(
        'commitForAggregate',
        callOptions?.signal,
        async () => {
          const outcome = await runtime.commit(context.tenant, {
            kind: 'aggregate',
            executionContext: executionContext(context),
            aggregateRootId: commit.aggregateRootId,
            eventSourceId: commit.eventSourceId,
            expectedVersion: commit.expectedVersion as never,
            events: commit.events,
          });
          return outcomeOf(
            outcome,
            () =>
              outcome.ok || outcome.failure.kind !== 'AggregateRootConcurrencyConflict'
                ? undefined
                : new AggregateRootConcurrencyConflict({
                    aggregateRootId: commit.aggregateRootId,
                    eventSourceId: commit.eventSourceId,
                    expected: commit.expectedVersion,
                    actual: outcome.failure.actual,
                  }),
            'commitForAggregate',
          );
        },
        false,
      ),

    fetchForAggregate: (context, aggregateRootId, eventSourceId, callOptions) =>
      call(
        'fetchForAggregate',
        callOptions?.signal,
        async () => {
          const fetched = await runtime.fetchForAggregate(context.tenant, aggregateRootId, eventSourceId);
          return { version: fetched.version, events: fetched.events.map(storedEventOf) };
        },
        true,
      ),

    getProjection: (context, scope, projectionId, key, callOptions) =>
      call(
        `get projection ${projectionId}`,
        callOptions?.signal,
        () => runtime.getProjection(context.tenant, scope, projectionId, key),
        true,
      ),

    getAllProjections: (context, scope, projectionId, callOptions) =>
      call(
        `get all of projection ${projectionId}`,
        callOptions?.signal,
        async () => [...(await runtime.getAllProjections(context.tenant, scope, projectionId))],
        true,
      ),

    updateEmbedding: (context, embeddingId, key, desired, callOptions) =>
      embeddingCall(
        `update embedding ${embeddingId}`,
        context,
        embeddingId,
        key,
        callOptions?.signal,
        async (): Promise<ReadModelState> => {
          const outcome = await runtime.updateEmbedding(context.tenant, embeddingId, key, desired);
          if (!outcome.ok) {
            throw Object.assign(new Error(outcome.reason), { code: 'FailedToUpdateEmbedding' });
          }
          return { key, state: outcome.state, type: 'persisted' };
        },
        false,
      ),

    deleteEmbedding: (context, embeddingId, key, callOptions) =>
      embeddingCall(
        `delete from embedding ${embeddingId}`,
        context,
        embeddingId,
        key,
        callOptions?.signal,
        async () => {
          const outcome = await runtime.deleteEmbedding(context.tenant, embeddingId, key);
          if (!outcome.ok) {
            throw Object.assign(new Error(outcome.reason), { code: 'FailedToDeleteEmbedding' });
          }
        },
        false,
      ),

    getEmbedding: (context, embeddingId, key, callOptions) =>
      embeddingCall(
        `get embedding ${embeddingId}`,
        context,
        embeddingId,
        key,
        callOptions?.signal,
        () => runtime.getEmbedding(context.tenant, embeddingId, key),
        true,
      ),

    getAllEmbeddings: (context, embeddingId, callOptions) =>
      embeddingCall(
        `get all of embedding ${embeddingId}`,
        context,
        embeddingId,
        undefined,
        callOptions?.signal,
        async () => [...(await runtime.getAllEmbeddings(context.tenant, embeddingId))],
        true,
      ),

    getEmbeddingKeys: (context, embeddingId, callOptions) =>
      embeddingCall(
        `get the keys of embedding ${embeddingId}`,
        context,
        embeddingId,
        undefined,
        callOptions?.signal,
        async () => (await runtime.getAllEmbeddings(context.tenant, embeddingId)).map((readModel) => readModel.key),
        true,
      ),

    subscribe: (context, subscription, callOptions) =>
      call(
        `subscribe to stream ${subscription.stream} of microservice ${subscription.producerMicroservice}`,
        callOptions?.signal,
        async (): Promise<ConsentId> => {
          const outcome = await runtime.subscribe(context.tenant, {
            producerMicroservice: subscription.producerMicroservice,
            producerTenant: subscription.producerTenant,
            stream: subscription.stream,
            partition: subscription.partition,
            scope: subscription.scope,
          });
          if (!outcome.ok) throw outcome.error;
          return outcome.consentId;
        },
        false,
      ),

    async register(processor, registerOptions): Promise<ProcessorConnection> {
      const what = `register ${processor.kind} ${processor.id}`;
      if (closing.signal.aborted) throw new DolittleSdkError('ClientClosed', `${what}: the client is closed`);
      const signal = AbortSignal.any([registerOptions.signal, closing.signal]);
      if (signal.aborted) throw abortedError(signal, what);
      let registration: Awaited<ReturnType<typeof register>>;
      try {
        registration = await register(processor);
      } catch (error) {
        throw errorFromRuntime(error, what);
      }
      if (signal.aborted) {
        registration.release();
        throw abortedError(signal, what);
      }
      const ended: Promise<ProcessorEnd> = registration.run(signal).then(
        () => ({ reason: signal.aborted ? 'closed' : 'lost', description: 'processing stopped' }),
        (error: unknown) => ({
          reason: signal.aborted ? 'closed' : 'lost',
          description: error instanceof Error ? error.message : String(error),
          error,
        }),
      );
      running.add(ended);
      void ended.finally(() => running.delete(ended));
      return { ended };
    },

    async close() {
      closing.abort(new DolittleSdkError('ClientClosed', 'the client was closed'));
      await Promise.all(running);
      if (owned) await runtime.stop();
    },
  };
  return transport;
}
