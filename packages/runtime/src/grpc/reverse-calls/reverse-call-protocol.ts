import type {
  Failure,
  ReverseCallArgumentsContext,
  ReverseCallRequestContext,
  ReverseCallResponseContext,
} from '../contracts.js';

/** The six message types of one reverse-call service, bundled so signatures stay readable. */
export interface ReverseCallTypes {
  /** The client's envelope: `oneof { arguments | response | pong }`. */
  readonly clientMessage: unknown;
  /** The Runtime's envelope: `oneof { connectResponse | request | ping }`. */
  readonly serverMessage: unknown;
  /** The registration (connect arguments) the client sends first. */
  readonly arguments: unknown;
  /** What the Runtime answers the registration with (its `failure` unset on accept). */
  readonly connectResponse: unknown;
  /** One request from the Runtime to the client. */
  readonly request: unknown;
  /** The client's answer to one request. */
  readonly response: unknown;
}

/**
 * How one reverse-call service packs its messages: which arm of the client envelope is which, where the call
 * contexts live, and how to build each server envelope. Pure functions over protobuf classes; no behaviour. The
 * dispatcher (`acceptReverseCall`) is the same for every service.
 */
export interface ReverseCallProtocol<T extends ReverseCallTypes> {
  /** `Service.Method`, for logs and errors: 'EventHandlers.Connect'. */
  readonly method: string;
  /** The proto name of the arguments arm of the client envelope, for error messages: 'registrationRequest'. */
  readonly argumentsField: string;
  /** The proto name of the arm that is set in a client envelope ('handleResult', 'pong'), or 'nothing'. */
  armOf(message: T['clientMessage']): string;

  argumentsOf(message: T['clientMessage']): T['arguments'] | undefined;
  argumentsContextOf(args: T['arguments']): ReverseCallArgumentsContext | undefined;
  responseOf(message: T['clientMessage']): T['response'] | undefined;
  responseContextOf(response: T['response']): ReverseCallResponseContext | undefined;
  isPong(message: T['clientMessage']): boolean;

  connectResponse(response: T['connectResponse']): T['serverMessage'];
  /** The connect response with its `failure` set. */
  failedConnectResponse(failure: Failure): T['serverMessage'];
  /** Sets `request.callContext = context` and wraps the request in the server envelope. */
  request(request: T['request'], context: ReverseCallRequestContext): T['serverMessage'];
  ping(): T['serverMessage'];
}
