/*
 * The projection-rebuild benchmark's two clients, built on Dolittle's contracts without the SDK:
 *
 * - a projection head on Projections.Connect (reverse call, spec §1.3/§2.6) keyed by an event property, answering
 *   every ProjectionRequest at once with `replace{state}`: a small JSON document counting the events of its key,
 *   holding the last sequence number and the head's version tag (`{"count":3,"last":20041,"v":1}`), so the read
 *   models can be checked for completeness and the generation readers see can be told apart. The request is scanned,
 *   not decoded (catch-up-wire.ts); the answer is encoded by hand.
 * - a projection store client (Projections.GetOne / GetAll), which decodes every response in full with the contract
 *   classes, as a reader would.
 */
import artifactPb from '@dolittle/contracts/Artifacts/Artifact_pb.js';
import projectionsGrpc from '@dolittle/runtime.contracts/Events.Processing/Projections_grpc_pb.js';
import projectionsPb from '@dolittle/runtime.contracts/Events.Processing/Projections_pb.js';
import storeGrpc from '@dolittle/runtime.contracts/Projections/Store_grpc_pb.js';
import storePb from '@dolittle/runtime.contracts/Projections/Store_pb.js';
import { guidFromBytes } from '@dolittle-ts/fundamentals';
import { Client, credentials } from '@grpc/grpc-js';
import {
  callIdOf,
  callRequestContext,
  fieldIn,
  lengthDelimited,
  openReverseCall,
  type ReverseCall,
  randomCallId,
  responseContext,
  reverseCallArguments,
  type Span,
  stringAt,
  uuidOf,
  varintIn,
} from './catch-up-wire.js';

const { Artifact } = artifactPb;
const {
  EventPropertyKeySelector,
  ProjectionClientToRuntimeMessage,
  ProjectionEventSelector,
  ProjectionRegistrationRequest,
} = projectionsPb;
const { GetAllRequest, GetAllResponse, GetOneRequest, GetOneResponse } = storePb;

const defaultScope = '00000000-0000-0000-0000-000000000000';

/** A read model as the head writes it. */
export interface BenchReadModel {
  readonly count: number;
  readonly last: number;
  readonly v: number;
}

/** Parses `{"count":…,"last":…,"v":…}`; undefined for anything else. */
export function parseReadModel(state: string): BenchReadModel | undefined {
  const match = /^\{"count":(\d+),"last":(\d+),"v":(\d+)\}$/.exec(state);
  return match ? { count: Number(match[1]), last: Number(match[2]), v: Number(match[3]) } : undefined;
}

function readModelText(count: number, last: number, v: number): string {
  return `{"count":${count},"last":${last},"v":${v}}`;
}

/** `handleResult { callContext { callId }, replace { state } }`. */
function replaceResult(bytes: Uint8Array, callId: Span, state: string): Buffer {
  return lengthDelimited(
    2,
    responseContext(bytes, callId),
    lengthDelimited(2, lengthDelimited(1, Buffer.from(state, 'utf8'))),
  );
}

/** Decodes one hand-encoded answer with the contract classes; throws if the encoding is off. */
export function checkReplaceEncoding(): void {
  const id = randomCallId();
  const state = readModelText(7, 123_456, 2);
  const decoded = ProjectionClientToRuntimeMessage.deserializeBinary(replaceResult(id.bytes, id.span, state));
  const result = decoded.getHandleresult();
  const callId = result?.getCallcontext()?.getCallid()?.getValue_asU8() ?? new Uint8Array();
  if (result?.getReplace()?.getState() !== state || result.hasFailure() || guidFromBytes(callId) !== id.guid)
    throw new Error('the hand-encoded ProjectionResponse does not decode to replace{state} for its callId');
}

export interface ProjectionHeadOptions {
  readonly address: string;
  readonly projectionId: string;
  readonly eventTypeId: string;
  /** The event property the read model's key is taken from. */
  readonly keyProperty: string;
  readonly initialState: string;
  /** Written into every read model as `v`. */
  readonly version: number;
}

export class ProjectionHead {
  /** Requests answered. */
  requests = 0;
  /** Requests carrying a retryProcessingState. */
  retries = 0;
  /** Requests whose current state was not one the head writes or the initial state. */
  unexpectedStates = 0;
  /** The highest sequence number projected, its read model's key, and when. */
  lastSequenceNumber = -1;
  lastKey = '';
  lastRequestAt = Number.NaN;
  firstRequestAt = Number.NaN;
  readonly #options: ProjectionHeadOptions;
  #call: ReverseCall | undefined;
  #waiter: { sequenceNumber: number; resolve: () => void; reject: (error: Error) => void } | undefined;
  /** Set when the Runtime ended the current call: waiting is pointless from then on. */
  #ended: string | undefined;

  constructor(options: ProjectionHeadOptions) {
    this.#options = options;
  }

  /** Opens the reverse call and sends the registration; resolves once the Runtime accepted it. */
  register(): Promise<void> {
    const options = this.#options;
    this.#call?.close();
    const registration = new ProjectionRegistrationRequest()
      .setCallcontext(reverseCallArguments())
      .setScopeid(uuidOf(defaultScope))
      .setProjectionid(uuidOf(options.projectionId))
      .setEventsList([
        new ProjectionEventSelector()
          .setEventtype(new Artifact().setId(uuidOf(options.eventTypeId)).setGeneration(1))
          .setEventpropertykeyselector(new EventPropertyKeySelector().setPropertyname(options.keyProperty)),
      ])
      .setInitialstate(options.initialState);
    const call = openReverseCall({
      address: options.address,
      path: projectionsGrpc.ProjectionsService.connect.path,
      registration: new ProjectionClientToRuntimeMessage().setRegistrationrequest(registration).serializeBinary(),
      onRequest: (bytes, request) => this.#onRequest(bytes, call, request),
    });
    this.#call = call;
    this.#ended = undefined;
    void call.ended.then((reason) => {
      if (this.#call !== call) return;
      this.#ended = reason;
      this.#waiter?.reject(new Error(`${reason} (at event ${this.lastSequenceNumber})`));
      this.#waiter = undefined;
    });
    return call.registered;
  }

  /** Resolves once the event at `sequenceNumber` has been projected (the head answered it). */
  waitForSequenceNumber(sequenceNumber: number, timeoutMs: number): Promise<void> {
    if (this.lastSequenceNumber >= sequenceNumber) return Promise.resolve();
    if (this.#ended !== undefined) return Promise.reject(new Error(this.#ended));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(
          new Error(
            `the projection did not reach event ${sequenceNumber} within ${timeoutMs / 1000} s (at ${this.lastSequenceNumber})`,
          ),
        );
      }, timeoutMs);
      this.#waiter = {
        sequenceNumber,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  close(): void {
    this.#call?.close();
    this.#call = undefined;
  }

  #onRequest(bytes: Buffer, call: ReverseCall, request: Span): void {
    const at = performance.now();
    const callId = callIdOf(bytes, request);
    // ProjectionRequest { callContext = 1; ProjectionCurrentState currentState = 2 { type = 1; key = 2; state = 3 };
    // StreamEvent event = 3 { CommittedEvent event = 1 { eventLogSequenceNumber = 1 } }; retryProcessingState = 4 }
    const current = fieldIn(bytes, request, 2);
    const streamEvent = fieldIn(bytes, request, 3);
    const committed = streamEvent && fieldIn(bytes, streamEvent, 1);
    if (current === undefined || committed === undefined) throw new Error('a ProjectionRequest without its event');
    const sequenceNumber = varintIn(bytes, committed, 1);
    const state = stringAt(bytes, fieldIn(bytes, current, 3));
    let count = 0;
    if (state !== this.#options.initialState) {
      const model = parseReadModel(state);
      if (model === undefined || model.v !== this.#options.version) this.unexpectedStates++;
      else count = model.count;
    }
    if (fieldIn(bytes, request, 4) !== undefined) this.retries++;
    call.write(replaceResult(bytes, callId, readModelText(count + 1, sequenceNumber, this.#options.version)));
    this.requests++;
    if (Number.isNaN(this.firstRequestAt)) this.firstRequestAt = at;
    if (sequenceNumber > this.lastSequenceNumber) {
      this.lastSequenceNumber = sequenceNumber;
      this.lastKey = stringAt(bytes, fieldIn(bytes, current, 2));
      this.lastRequestAt = at;
    }
    const waiter = this.#waiter;
    if (waiter !== undefined && this.lastSequenceNumber >= waiter.sequenceNumber) {
      this.#waiter = undefined;
      waiter.resolve();
    }
  }
}

export interface ReadModels {
  /** Key → state, from the fully decoded response. */
  readonly states: ReadonlyMap<string, string>;
  /** The response's size on the wire (protobuf bytes). */
  readonly bytes: number;
}

/** Projections.GetOne / GetAll for one projection of the development tenant, responses decoded in full. */
export class ProjectionStoreClient {
  readonly #client: Client;
  readonly #projectionId: string;

  constructor(address: string, projectionId: string) {
    this.#projectionId = projectionId;
    this.#client = new Client(address, credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
      'grpc-node.bench_store_client': projectionId,
      'grpc.max_receive_message_length': -1,
      'grpc.enable_retries': 0,
      'grpc.enable_channelz': 0,
    });
  }

  ready(timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) =>
      this.#client.waitForReady(Date.now() + timeoutMs, (error) => (error ? reject(error) : resolve())),
    );
  }

  async getAll(): Promise<ReadModels> {
    const request = new GetAllRequest()
      .setCallcontext(callRequestContext())
      .setScopeid(uuidOf(defaultScope))
      .setProjectionid(uuidOf(this.#projectionId));
    let bytes = 0;
    const response = await this.#unary(storeGrpc.ProjectionsService.getAll.path, request, (wire) => {
      bytes = wire.length;
      return GetAllResponse.deserializeBinary(wire);
    });
    const failure = response.getFailure();
    if (failure !== undefined) throw new Error(`GetAll failed: ${failure.getReason()}`);
    const states = new Map<string, string>();
    for (const state of response.getStatesList()) states.set(state.getKey(), state.getState());
    return { states, bytes };
  }

  /** The state readers see for `key` (the initial state when there is no read model). */
  async getOne(key: string): Promise<string> {
    const request = new GetOneRequest()
      .setCallcontext(callRequestContext())
      .setScopeid(uuidOf(defaultScope))
      .setProjectionid(uuidOf(this.#projectionId))
      .setKey(key);
    const response = await this.#unary(storeGrpc.ProjectionsService.getOne.path, request, (wire) =>
      GetOneResponse.deserializeBinary(wire),
    );
    const failure = response.getFailure();
    if (failure !== undefined) throw new Error(`GetOne failed: ${failure.getReason()}`);
    return response.getState()?.getState() ?? '';
  }

  close(): void {
    this.#client.close();
  }

  #unary<R>(path: string, request: { serializeBinary(): Uint8Array }, decode: (bytes: Buffer) => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#client.makeUnaryRequest(
        path,
        (message: { serializeBinary(): Uint8Array }) => Buffer.from(message.serializeBinary()),
        decode,
        request,
        (error, response) => {
          if (error) reject(error);
          else if (response === undefined) reject(new Error(`${path} answered without a message`));
          else resolve(response);
        },
      );
    });
  }
}
