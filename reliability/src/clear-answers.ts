/*
 * Sends one request to a Runtime method and judges the answer: a bad request must get either a gRPC error with a
 * message (never UNKNOWN, never an empty message) or a response whose Failure gives a reason, and it must get it
 * (no hang, no stream torn down without a status). Reverse calls are judged on their registration response.
 */
import { guidFromBytes } from '@dolittle-ts/fundamentals';
import { type GrpcAnswer, type GrpcConnection, statusNames } from './grpc-wire.js';
import type { FailureSeen, RuntimeMethod } from './runtime-methods.js';

export type Verdict =
  | { readonly clear: true; readonly kind: 'status' | 'failure'; readonly label: string; readonly reason: string }
  | { readonly clear: false; readonly why: string };

/** Dolittle failure ids (packages/runtime/src/grpc/failures.ts), by name, for diagnostics. */
const failureNames: Readonly<Record<string, string>> = {
  'f25cccfb-3ae1-4969-bee6-906370ffbc2d': 'AggregateRootConcurrencyConflict',
  'ef3f1a42-9bc3-4d98-aa2a-942db7c56ac1': 'NoEventsToCommit',
  '0d18fb1e-c812-4150-a110-9fe9bf3dd7b7': 'InvalidArgument',
  '51413826-03a5-4870-845c-d9c69ad06e49': 'UnknownTenant',
  '05cc1d10-4efc-457b-84a6-a1be0a5f36ba': 'Other',
  'be1ba4e6-81e3-49c4-bec2-6c7e262bfb77': 'MissingConsent',
  '9b74482a-8eaa-47ab-ac1c-53d704e4e77d': 'MissingMicroserviceConfiguration',
  'd76e5522-9bbd-4bb1-87df-b167e42acf02': 'NoEmbeddingRegisteredForTenant',
  'dbfdfa15-e727-49f6-bed8-7a787954a4c6': 'FailedToRegisterEventHandler',
  'f0480899-8aed-4191-b339-5121f4d9f2e2': 'FailedToRegisterFilter',
  'eb82f4d3-06e5-45cc-ac97-7d77dd1e5d07': 'FailedToRegisterProjection',
  '77cd99ec-9939-43ae-83dc-3c770ef65a4c': 'FailedToRegisterEmbedding',
};

export function failureName(failure: FailureSeen): string {
  const guid = guidFromBytes(Buffer.from(failure.id, 'hex')) ?? failure.id;
  return failureNames[guid] ?? guid;
}

/** A gRPC status is a clear refusal when it is an error other than UNKNOWN and says something. */
function judgeStatus(answer: GrpcAnswer): Verdict | undefined {
  if (answer.timedOut) return { clear: false, why: `hang: ${answer.message}` };
  if (answer.status === undefined) return { clear: false, why: `no gRPC status: ${answer.message}` };
  if (answer.status === 0) return undefined;
  const name = statusNames[answer.status] ?? String(answer.status);
  if (answer.status === 2) return { clear: false, why: `status UNKNOWN (${answer.message})` };
  if (answer.message.trim() === '') return { clear: false, why: `status ${name} without a message` };
  return { clear: true, kind: 'status', label: name, reason: answer.message };
}

function judgeFailure(failure: FailureSeen | undefined, what: string): Verdict {
  if (failure === undefined) return { clear: false, why: `${what} without a failure: the bad request was accepted` };
  if (failure.reason.trim() === '') return { clear: false, why: `failure ${failureName(failure)} without a reason` };
  return { clear: true, kind: 'failure', label: failureName(failure), reason: failure.reason };
}

/** One unary call with `body` as the request message. */
export async function judgeUnary(
  connection: GrpcConnection,
  method: RuntimeMethod & { kind: 'unary' },
  body: Uint8Array,
  timeoutMs = 15_000,
): Promise<Verdict> {
  const answer = await connection.unary(method.path, body, { timeoutMs });
  const byStatus = judgeStatus(answer);
  if (byStatus !== undefined) return byStatus;
  if (answer.messages.length !== 1) return { clear: false, why: `OK with ${answer.messages.length} messages` };
  let failure: FailureSeen | undefined;
  try {
    failure = method.failureOf(answer.messages[0] ?? Buffer.alloc(0));
  } catch (error) {
    return { clear: false, why: `the response does not decode: ${(error as Error).message}` };
  }
  return judgeFailure(failure, 'OK response');
}

/**
 * Opens the reverse call, sends `first` as its first message, and reads past pings to the registration response.
 * A refused registration must come with a failure and the call must then end.
 */
export async function judgeReverseCall(
  connection: GrpcConnection,
  method: RuntimeMethod & { kind: 'reverse-call' },
  first: Uint8Array,
  timeoutMs = 15_000,
): Promise<Verdict> {
  const call = connection.open(method.path, { timeoutMs });
  call.send(first);
  try {
    for (;;) {
      const next = await call.nextMessage(timeoutMs);
      if (next === undefined) {
        const answer = await call.answer;
        return judgeStatus(answer) ?? { clear: false, why: 'the call ended with OK and no registration response' };
      }
      let read: ReturnType<typeof method.read>;
      try {
        read = method.read(next);
      } catch (error) {
        return { clear: false, why: `a server message does not decode: ${(error as Error).message}` };
      }
      if (read.kind === 'ping') continue;
      if (read.kind === 'other')
        return { clear: false, why: 'the first non-ping message is not a registration response' };
      const verdict = judgeFailure(read.failure, 'registration response');
      if (!verdict.clear) return verdict;
      const end = await call.answer;
      if (end.timedOut) return { clear: false, why: 'the call did not end after the refused registration' };
      return verdict;
    }
  } finally {
    call.cancel();
  }
}

export function judge(connection: GrpcConnection, method: RuntimeMethod, body: Uint8Array): Promise<Verdict> {
  return method.kind === 'unary' ? judgeUnary(connection, method, body) : judgeReverseCall(connection, method, body);
}
