/*
 * The catch-up benchmark's event handler head: a partitioned handler on EventHandlers.Connect that answers every
 * HandleEventRequest at once with success, and records when each event log sequence number first reached it. It also
 * checks what a user relies on: every event arrives, none twice, and in order inside its partition (event source).
 */
import artifactPb from '@dolittle/contracts/Artifacts/Artifact_pb.js';
import eventHandlersGrpc from '@dolittle/runtime.contracts/Events.Processing/EventHandlers_grpc_pb.js';
import eventHandlersPb from '@dolittle/runtime.contracts/Events.Processing/EventHandlers_pb.js';
import { guidFromBytes } from '@dolittle-ts/fundamentals';
import {
  callIdOf,
  fieldIn,
  lengthDelimited,
  openReverseCall,
  type ReverseCall,
  randomCallId,
  responseContext,
  reverseCallArguments,
  type Span,
  uuidOf,
  varintIn,
} from './catch-up-wire.js';

const { Artifact } = artifactPb;
const { EventHandlerClientToRuntimeMessage, EventHandlerRegistrationRequest } = eventHandlersPb;

export interface CatchUpHeadOptions {
  readonly address: string;
  readonly eventHandlerId: string;
  readonly eventTypeId: string;
  /** Sequence numbers below this are tracked (arrival times, duplicates). */
  readonly capacity: number;
}

/** `handleResult { callContext { callId } }`: success, no failure. */
function handleResult(bytes: Uint8Array, callId: Span): Buffer {
  return lengthDelimited(2, responseContext(bytes, callId));
}

/** Decodes one hand-encoded answer with the contract classes; throws if the encoding is off. */
export function checkHandleResultEncoding(): void {
  const id = randomCallId();
  const decoded = EventHandlerClientToRuntimeMessage.deserializeBinary(handleResult(id.bytes, id.span));
  const callId = decoded.getHandleresult()?.getCallcontext()?.getCallid()?.getValue_asU8();
  if (
    !decoded.hasHandleresult() ||
    decoded.getHandleresult()?.hasFailure() ||
    guidFromBytes(callId ?? new Uint8Array()) !== id.guid
  )
    throw new Error('the hand-encoded EventHandlerResponse does not decode to a success for its callId');
}

const maxReconnects = 10;

export class CatchUpHead {
  /** performance.now() of each sequence number's first arrival; NaN until then. */
  readonly arrivals: Float64Array;
  /** Distinct sequence numbers received. */
  handled = 0;
  /** Requests received (a retried or repeated event counts again). */
  deliveries = 0;
  duplicates = 0;
  /** Events that arrived after a later event of the same partition. */
  outOfOrder = 0;
  /** Requests carrying a retryProcessingState. */
  retries = 0;
  lastArrivalAt = Number.NaN;
  /** Why the Runtime ended the call each time it did; the head reconnected after each (up to `maxReconnects`). */
  readonly disconnects: string[] = [];
  readonly #options: CatchUpHeadOptions;
  readonly #lastInPartition = new Map<string, number>();
  #call: ReverseCall | undefined;
  #closed = false;
  #waiter: { count: number; resolve: () => void; reject: (error: Error) => void } | undefined;
  /** Set once the head gave up reconnecting: waiting is pointless from then on. */
  #gaveUp: string | undefined;

  constructor(options: CatchUpHeadOptions) {
    this.#options = options;
    this.arrivals = new Float64Array(options.capacity).fill(Number.NaN);
  }

  /**
   * Opens the reverse call and sends the registration; resolves once the Runtime accepted it. If the Runtime ends
   * the call later, the head registers again after 1 s, as the official SDK does (spec §1.3), and notes why.
   */
  register(): Promise<void> {
    const options = this.#options;
    const registration = new EventHandlerRegistrationRequest()
      .setCallcontext(reverseCallArguments())
      .setEventhandlerid(uuidOf(options.eventHandlerId))
      .setScopeid(uuidOf('00000000-0000-0000-0000-000000000000'))
      .setPartitioned(true)
      .setTypesList([new Artifact().setId(uuidOf(options.eventTypeId)).setGeneration(1)]);
    const call = openReverseCall({
      address: options.address,
      path: eventHandlersGrpc.EventHandlersService.connect.path,
      registration: new EventHandlerClientToRuntimeMessage().setRegistrationrequest(registration).serializeBinary(),
      onRequest: (bytes, request) => this.#onRequest(bytes, call, request),
    });
    this.#call = call;
    void call.ended.then((reason) => {
      if (this.#closed || this.#call !== call) return;
      this.disconnects.push(`${reason} (after ${this.handled} events)`);
      if (this.disconnects.length > maxReconnects) {
        this.#gaveUp = `gave up after ${maxReconnects} reconnects: ${this.disconnects.join('; ')}`;
        this.#waiter?.reject(new Error(this.#gaveUp));
        this.#waiter = undefined;
        return;
      }
      setTimeout(() => {
        if (!this.#closed) this.register().catch(() => {});
      }, 1_000);
    });
    return call.registered;
  }

  /** Resolves once `count` distinct events have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs: number): Promise<void> {
    if (this.handled >= count) return Promise.resolve();
    if (this.#gaveUp !== undefined) return Promise.reject(new Error(this.#gaveUp));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new Error(`${this.handled} of ${count} events reached the handler within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.#waiter = {
        count,
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
    this.#closed = true;
    this.#call?.close();
  }

  #onRequest(bytes: Buffer, call: ReverseCall, request: Span): void {
    const at = performance.now();
    const callId = callIdOf(bytes, request);
    // HandleEventRequest { callContext = 1; StreamEvent event = 2 { CommittedEvent event = 1; partitionId = 2 };
    // retryProcessingState = 3 }; CommittedEvent.eventLogSequenceNumber = 1.
    const streamEvent = fieldIn(bytes, request, 2);
    const committed = streamEvent && fieldIn(bytes, streamEvent, 1);
    const partition = streamEvent && fieldIn(bytes, streamEvent, 2);
    if (committed === undefined || partition === undefined) throw new Error('a HandleEventRequest without its event');
    const sequenceNumber = varintIn(bytes, committed, 1);
    if (fieldIn(bytes, request, 3) !== undefined) this.retries++;
    this.deliveries++;
    if (sequenceNumber < this.arrivals.length && Number.isNaN(this.arrivals[sequenceNumber] as number)) {
      this.arrivals[sequenceNumber] = at;
      this.handled++;
      this.lastArrivalAt = at;
      // Order is checked on first arrivals: an event given again after a reconnect is a duplicate, not disorder.
      const partitionKey = bytes.toString('latin1', partition.start, partition.end);
      const previous = this.#lastInPartition.get(partitionKey);
      if (previous !== undefined && previous > sequenceNumber) this.outOfOrder++;
      else this.#lastInPartition.set(partitionKey, sequenceNumber);
    } else if (sequenceNumber < this.arrivals.length) this.duplicates++;
    call.write(handleResult(bytes, callId));
    const waiter = this.#waiter;
    if (waiter !== undefined && this.handled >= waiter.count) {
      this.#waiter = undefined;
      waiter.resolve();
    }
  }
}
