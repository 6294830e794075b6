/*
 * The client side of Dolittle's reverse-call protocol (spec §1.3), once for every processor kind: open the bidi
 * stream, send the registration with a ReverseCallArgumentsContext, answer every ping with a pong, wait for the
 * connect response (accept or reject), then answer requests (any number at once, matched by call id, in any order)
 * until the stream ends. Silence from the Runtime for 3 × the ping interval ends the connection, as SDK 17 does.
 */
import { createGuid, type Guid, systemCorrelationId, systemTenant, type TenantId } from '@dolittle-ts/fundamentals';
import type { Client, ClientDuplexStream, ServiceError } from '@grpc/grpc-js';
import { abortedError, DolittleSdkError, type ProcessorKind, RegistrationFailed } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { HeadIdentity, ProcessorConnection, ProcessorEnd } from '../transport.js';
import {
  ReverseCallArgumentsContext as ArgumentsContext,
  type ReverseCallArgumentsContext,
  type ReverseCallRequestContext,
  type Uuid,
} from './contracts.js';
import { durationOfMs, executionContextToPb, guidOf, uuidOf } from './wire.js';

export interface BidiMethod<ClientMessage, ServerMessage> {
  readonly path: string;
  readonly requestSerialize: (message: ClientMessage) => Buffer;
  readonly responseDeserialize: (bytes: Buffer) => ServerMessage;
}

/** How one server message of a service reads. */
export type ServerMessageKind<Request> =
  | { readonly kind: 'ping' }
  | { readonly kind: 'connect-response'; readonly failure: { id: string; reason: string } | undefined }
  | { readonly kind: 'request'; readonly request: Request; readonly callContext: ReverseCallRequestContext | undefined }
  | { readonly kind: 'other' };

/** What a service's reverse call looks like from the client: its envelope arms and how to answer. */
export interface ReverseCallClientProtocol<ClientMessage, ServerMessage, Request> {
  readonly processorKind: ProcessorKind;
  readonly processorId: Guid;
  readonly method: BidiMethod<ClientMessage, ServerMessage>;
  registration(context: ReverseCallArgumentsContext): ClientMessage;
  read(message: ServerMessage): ServerMessageKind<Request>;
  pong(): ClientMessage;
  /** Never rejects: failures of the head are answered as processing failures. */
  respond(request: Request, callId: Uuid, context: { tenant: TenantId; signal: AbortSignal }): Promise<ClientMessage>;
}

export interface OpenReverseCallOptions {
  readonly client: Client;
  readonly address: string;
  readonly identity: HeadIdentity;
  readonly pingIntervalMs: number;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

export function openReverseCall<ClientMessage, ServerMessage, Request>(
  protocol: ReverseCallClientProtocol<ClientMessage, ServerMessage, Request>,
  options: OpenReverseCallOptions,
): Promise<ProcessorConnection> {
  const { signal, logger } = options;
  const what = `${protocol.processorKind} ${protocol.processorId}`;
  if (signal.aborted) return Promise.reject(abortedError(signal, `registering ${what}`));

  return new Promise<ProcessorConnection>((resolve, reject) => {
    const call: ClientDuplexStream<ClientMessage, ServerMessage> = options.client.makeBidiStreamRequest(
      protocol.method.path,
      protocol.method.requestSerialize,
      protocol.method.responseDeserialize,
    );
    // Aborted when this connection ends: requests still being handled learn that their answer is not wanted.
    const connection = new AbortController();
    let state: 'registering' | 'accepted' | 'ended' = 'registering';
    let settleEnded: (end: ProcessorEnd) => void = () => {};
    const ended = new Promise<ProcessorEnd>((r) => {
      settleEnded = r;
    });
    let lastHeard = Date.now();
    const deadlineMs = 3 * options.pingIntervalMs;
    const keepAlive = setInterval(
      () => {
        if (Date.now() - lastHeard <= deadlineMs) return;
        const description = `no ping or request from the Runtime for ${deadlineMs} ms`;
        finish(
          { reason: 'lost', description },
          new DolittleSdkError('Unavailable', `registering ${what} at ${options.address}: ${description}`),
        );
      },
      Math.max(50, Math.floor(options.pingIntervalMs / 2)),
    );
    keepAlive.unref?.();

    const onAbort = () =>
      finish({ reason: 'closed', description: 'closed by the client' }, abortedError(signal, `registering ${what}`));
    signal.addEventListener('abort', onAbort, { once: true });

    function finish(end: ProcessorEnd, beforeAccepted: Error): void {
      if (state === 'ended') return;
      const wasAccepted = state === 'accepted';
      state = 'ended';
      clearInterval(keepAlive);
      signal.removeEventListener('abort', onAbort);
      connection.abort(new DolittleSdkError('Unavailable', `the connection of ${what} ended: ${end.description}`));
      call.cancel();
      if (wasAccepted) settleEnded(end);
      else reject(beforeAccepted);
    }

    function write(message: ClientMessage): void {
      if (state === 'ended') return;
      call.write(message);
    }

    call.on('data', (message: ServerMessage) => {
      lastHeard = Date.now();
      const read = protocol.read(message);
      switch (read.kind) {
        case 'ping':
          write(protocol.pong());
          return;
        case 'connect-response':
          if (state !== 'registering') return;
          if (read.failure !== undefined) {
            const error = new RegistrationFailed(
              { processorKind: protocol.processorKind, processorId: protocol.processorId, reason: read.failure.reason },
              { failureId: read.failure.id },
            );
            finish({ reason: 'lost', description: 'rejected', error }, error);
            return;
          }
          state = 'accepted';
          resolve({ ended });
          return;
        case 'request': {
          const callId = read.callContext?.getCallid();
          const context = read.callContext?.getExecutioncontext();
          if (callId === undefined || context === undefined) {
            logger.warn(`${what}: dropped a request without a call context`);
            return;
          }
          let tenant: TenantId;
          try {
            tenant = guidOf(context.getTenantid(), 'callContext.executionContext.tenantId') as string as TenantId;
          } catch (error) {
            logger.warn(`${what}: dropped a request`, { error });
            return;
          }
          protocol
            .respond(read.request, callId, { tenant, signal: connection.signal })
            .then(write, (error: unknown) => logger.error(`${what}: could not answer a request`, { error }));
          return;
        }
        case 'other':
          return;
      }
    });
    call.on('error', (error: ServiceError) => {
      const description = error.details || error.message;
      finish(
        { reason: 'lost', description, error },
        new DolittleSdkError('Unavailable', `could not register ${what} at ${options.address}: ${description}`, {
          cause: error,
        }),
      );
    });
    call.on('end', () =>
      finish(
        { reason: 'lost', description: 'the Runtime ended the call' },
        new DolittleSdkError(
          'Unavailable',
          `the Runtime at ${options.address} ended the call of ${what} before answering its registration`,
        ),
      ),
    );

    const argumentsContext = new ArgumentsContext()
      .setExecutioncontext(
        executionContextToPb({
          microserviceId: options.identity.microserviceId,
          tenantId: systemTenant,
          version: options.identity.version,
          correlationId: systemCorrelationId,
          claims: [],
          environment: options.identity.environment,
        }),
      )
      .setHeadid(uuidOf(createGuid()))
      .setPinginterval(durationOfMs(options.pingIntervalMs));
    write(protocol.registration(argumentsContext));
  });
}
