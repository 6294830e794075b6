/*
 * For the reverse-call tests: a real grpc-js server serving EventHandlers.Connect through `acceptReverseCall`, and a
 * bare contracts client that speaks the protocol by hand (what the official SDK sends, without the SDK).
 */
import { developmentMicroservice, developmentTenant, type Guid } from '@dolittle-ts/fundamentals';
import {
  type Client,
  type ClientDuplexStream,
  credentials,
  makeGenericClientConstructor,
  type ServerDuplexStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { pino } from 'pino';
import {
  CommittedEvent,
  Duration,
  EventHandlerClientToRuntimeMessage,
  EventHandlerRegistrationRequest,
  EventHandlerResponse,
  type EventHandlerRuntimeToClientMessage,
  ExecutionContext,
  eventHandlersService,
  HandleEventRequest,
  Pong,
  ProcessorFailure,
  ReverseCallArgumentsContext,
  ReverseCallResponseContext,
  StreamEvent,
  type Uuid,
  Version,
} from '../contracts.js';
import { guidToUuid } from '../convert.js';
import { eventHandlersServiceDefinition } from '../event-handlers-service.js';
import { addService, bind, createGrpcServer, shutdown } from '../grpc-server.js';
import { type AcceptReverseCallOptions, acceptReverseCall, type ReverseCallConnection } from './accept-reverse-call.js';
import { type EventHandlersReverseCall, eventHandlersProtocol } from './event-handlers-protocol.js';
import type { ReverseCallEnd } from './reverse-call-end.js';

export type Connection = ReverseCallConnection<EventHandlersReverseCall>;
export type ServerCall = ServerDuplexStream<
  EventHandlersReverseCall['clientMessage'],
  EventHandlersReverseCall['serverMessage']
>;

export const logger = pino({ level: process.env.DOLITTLE_TEST_LOG ?? 'silent' });

/** A small unbounded async queue for tests. */
export class Inbox<T> {
  readonly #items: T[] = [];
  readonly #waiters: ((item: T) => void)[] = [];
  push(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter(item);
    else this.#items.push(item);
  }
  next(timeoutMs = 5000, what = 'an item'): Promise<T> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift() as T);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter = (value: T) => {
        clearTimeout(timer);
        resolve(value);
      };
      this.#waiters.push(waiter);
    });
  }
  get size(): number {
    return this.#items.length;
  }
}

export interface RigServer {
  readonly port: number;
  /** Connections `acceptReverseCall` resolved with, in order; undefined for calls it answered itself. */
  readonly connections: Inbox<Connection | undefined>;
  /** Every server call handed to the service, for listener checks. */
  readonly calls: ServerCall[];
  /** The listeners each call had when grpc-js handed it to the service, before the dispatcher added its own. */
  readonly listenersAtEntry: Map<ServerCall, Record<string, number>>;
  /** What the observer saw. */
  readonly observed: { opened: number; closed: number; ends: ReverseCallEnd[] };
  /** Resolves once `closed === opened` and at least `count` calls were opened. */
  allClosed(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface RigServerOptions extends Partial<Omit<AcceptReverseCallOptions, 'observer'>> {
  /** Keep the server calls for listener checks (off for large storms unless needed). */
  readonly keepCalls?: boolean;
  /** Handles each connection instead of queueing it. */
  readonly onConnection?: (connection: Connection) => void;
}

export async function startRigServer(options: RigServerOptions = {}): Promise<RigServer> {
  const server = createGrpcServer({ maxMessageBytes: 4 * 1024 * 1024 });
  const connections = new Inbox<Connection | undefined>();
  const calls: ServerCall[] = [];
  const listenersAtEntry = new Map<ServerCall, Record<string, number>>();
  const observed = { opened: 0, closed: 0, ends: [] as ReverseCallEnd[] };
  const closedWaiters = new Set<() => void>();
  const { keepCalls, onConnection, ...acceptOptions } = options;
  addService(server, eventHandlersServiceDefinition, {
    connect(call: ServerCall) {
      if (keepCalls !== false) {
        calls.push(call);
        listenersAtEntry.set(call, listenerCounts(call));
      }
      void acceptReverseCall(call, eventHandlersProtocol, {
        logger,
        ...acceptOptions,
        observer: {
          opened: () => {
            observed.opened++;
          },
          closed: (_method, end) => {
            observed.closed++;
            observed.ends.push(end);
            for (const waiter of closedWaiters) waiter();
          },
        },
      }).then((connection) => {
        if (connection !== undefined && onConnection !== undefined) onConnection(connection);
        else connections.push(connection);
      });
    },
  });
  const port = await bind(server, '127.0.0.1', 0);
  return {
    port,
    connections,
    calls,
    listenersAtEntry,
    observed,
    allClosed(count, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (observed.opened >= count && observed.closed === observed.opened) {
            clearTimeout(timer);
            closedWaiters.delete(check);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          closedWaiters.delete(check);
          reject(new Error(`after ${timeoutMs} ms: opened ${observed.opened}, closed ${observed.closed}`));
        }, timeoutMs);
        closedWaiters.add(check);
        check();
      });
    },
    stop: () => shutdown(server, 1000),
  };
}

const streamEvents = ['data', 'end', 'error', 'cancelled', 'close', 'finish', 'drain'] as const;

export function listenerCounts(call: ServerCall): Record<string, number> {
  return Object.fromEntries(streamEvents.map((event) => [event, call.listenerCount(event)]));
}

type ClientStream = ClientDuplexStream<EventHandlerClientToRuntimeMessage, EventHandlerRuntimeToClientMessage>;

export interface Received {
  readonly at: number;
  readonly message: EventHandlerRuntimeToClientMessage;
}

/** One EventHandlers.Connect stream, driven by hand. */
export class RigStream {
  readonly stream: ClientStream;
  readonly openedAt = performance.now();
  /** Every server message, in order, with the time it arrived. */
  readonly received: Received[] = [];
  readonly pings = new Inbox<Received>();
  readonly requests = new Inbox<HandleEventRequest>();
  readonly responses = new Inbox<Received>();
  /** The call's final status (never rejects). */
  readonly status: Promise<{ code: number; details: string; at: number }>;
  /** Answer every ping with a pong (as the SDK does). */
  autoPong = true;

  constructor(stream: ClientStream) {
    this.stream = stream;
    stream.on('data', (message: EventHandlerRuntimeToClientMessage) => {
      const received = { at: performance.now(), message };
      this.received.push(received);
      if (message.hasPing()) {
        this.pings.push(received);
        if (this.autoPong) this.send(new EventHandlerClientToRuntimeMessage().setPong(new Pong()));
      } else if (message.hasHandlerequest()) this.requests.push(message.getHandlerequest() as HandleEventRequest);
      else if (message.hasRegistrationresponse()) this.responses.push(received);
    });
    // A call ended with an error status also emits 'error'; the status below is what tests look at.
    stream.on('error', (_error: ServiceError) => {});
    this.status = new Promise((resolve) => {
      stream.on('status', (s: { code: number; details: string }) =>
        resolve({ code: s.code, details: s.details, at: performance.now() }),
      );
    });
  }

  send(message: EventHandlerClientToRuntimeMessage): void {
    if (!this.stream.writableEnded && !this.stream.destroyed) this.stream.write(message);
  }

  register(options: RegistrationOptions = {}): void {
    this.send(registrationMessage(options));
  }

  /** Answers a request the way the SDK does: copy the call id; a failure when `failureReason` is given. */
  answer(request: HandleEventRequest, failureReason?: string): void {
    this.send(handleResult(request.getCallcontext()?.getCallid(), failureReason));
  }

  /** The registration response's failure, or undefined when accepted. */
  async registrationResult(timeoutMs = 5000): Promise<{ id: Uuid | undefined; reason: string } | undefined> {
    const received = await this.responses.next(timeoutMs, 'the registration response');
    const failure = received.message.getRegistrationresponse()?.getFailure();
    return failure === undefined ? undefined : { id: failure.getId(), reason: failure.getReason() };
  }
}

export class RigClient {
  readonly client: Client & { connect(): ClientStream };
  constructor(port: number) {
    const Constructor = makeGenericClientConstructor(eventHandlersService as never, 'EventHandlers');
    this.client = new Constructor(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as Client & {
      connect(): ClientStream;
    };
  }
  open(): RigStream {
    return new RigStream(this.client.connect());
  }
  close(): void {
    this.client.close();
  }
}

export interface RegistrationOptions {
  /** Undefined leaves it out. Default 1000. */
  readonly pingIntervalMs?: number | undefined;
  readonly tenantId?: string;
  readonly executionContext?: ExecutionContext | undefined;
  readonly headId?: Uuid | undefined;
  readonly withoutCallContext?: boolean;
}

export function executionContext(tenantId: string = developmentTenant): ExecutionContext {
  const context = new ExecutionContext();
  context.setMicroserviceid(guidToUuid(developmentMicroservice));
  context.setTenantid(guidToUuid(tenantId));
  context.setVersion(new Version().setMajor(1));
  context.setCorrelationid(guidToUuid(crypto.randomUUID()));
  context.setEnvironment('Test');
  return context;
}

export function registrationMessage(options: RegistrationOptions = {}): EventHandlerClientToRuntimeMessage {
  const registration = new EventHandlerRegistrationRequest();
  registration.setEventhandlerid(guidToUuid(crypto.randomUUID()));
  registration.setPartitioned(true);
  if (options.withoutCallContext !== true) {
    const context = new ReverseCallArgumentsContext();
    const pingIntervalMs = 'pingIntervalMs' in options ? options.pingIntervalMs : 1000;
    if (pingIntervalMs !== undefined) {
      const duration = new Duration();
      duration.setSeconds(Math.trunc(pingIntervalMs / 1000));
      duration.setNanos(Math.round((pingIntervalMs % 1000) * 1e6));
      context.setPinginterval(duration);
    }
    if (!('executionContext' in options)) context.setExecutioncontext(executionContext(options.tenantId));
    else if (options.executionContext !== undefined) context.setExecutioncontext(options.executionContext);
    if (!('headId' in options)) context.setHeadid(guidToUuid(crypto.randomUUID()));
    else if (options.headId !== undefined) context.setHeadid(options.headId);
    registration.setCallcontext(context);
  }
  return new EventHandlerClientToRuntimeMessage().setRegistrationrequest(registration);
}

export function handleResult(callId: Uuid | undefined, failureReason?: string): EventHandlerClientToRuntimeMessage {
  const response = new EventHandlerResponse();
  if (callId !== undefined) response.setCallcontext(new ReverseCallResponseContext().setCallid(callId));
  if (failureReason !== undefined) response.setFailure(new ProcessorFailure().setReason(failureReason));
  return new EventHandlerClientToRuntimeMessage().setHandleresult(response);
}

/** A HandleEventRequest whose event content is `content` (tests use it to tell requests apart). */
export function handleEventRequest(content: string, contentBytes = 0): HandleEventRequest {
  const event = new CommittedEvent();
  event.setContent(contentBytes > 0 ? JSON.stringify({ content, padding: 'x'.repeat(contentBytes) }) : content);
  return new HandleEventRequest().setEvent(new StreamEvent().setEvent(event));
}

export function contentOf(request: HandleEventRequest): string {
  const content = request.getEvent()?.getEvent()?.getContent() ?? '';
  return content.startsWith('{') ? (JSON.parse(content) as { content: string }).content : content;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export const failureIds = {
  invalidArgument: '0d18fb1e-c812-4150-a110-9fe9bf3dd7b7' as Guid,
  other: '05cc1d10-4efc-457b-84a6-a1be0a5f36ba' as Guid,
};
