import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EventHandlerClientToRuntimeMessage,
  EventHandlerResponse,
  Pong,
  ProcessorFailure,
  ReverseCallResponseContext,
  Uuid,
} from '../contracts.js';
import { CallIds } from './call-ids.js';
import { succeededResponseCallId } from './decoded-responses.js';
import { eventHandlersResponseArm } from './event-handlers-protocol.js';

function response(callId: Uint8Array | undefined, failure?: ProcessorFailure): Uint8Array {
  const handleResult = new EventHandlerResponse();
  if (callId !== undefined)
    handleResult.setCallcontext(new ReverseCallResponseContext().setCallid(new Uuid().setValue(callId)));
  if (failure !== undefined) handleResult.setFailure(failure);
  return new EventHandlerClientToRuntimeMessage().setHandleresult(handleResult).serializeBinary();
}

describe('succeededResponseCallId', () => {
  it('finds the call id of a response that holds nothing else, as the contract classes encode it', () => {
    for (let i = 0; i < 100; i++) {
      const callId = crypto.getRandomValues(new Uint8Array(16));
      assert.deepEqual(succeededResponseCallId(response(callId), eventHandlersResponseArm.field), callId);
    }
  });

  it('leaves every other message to the full decoder', () => {
    const callId = crypto.getRandomValues(new Uint8Array(16));
    const others: [string, Uint8Array][] = [
      ['a failure', response(callId, new ProcessorFailure().setReason('no').setRetry(true))],
      ['a failure with an empty reason', response(callId, new ProcessorFailure())],
      ['no call context', response(undefined)],
      ['a 15-byte call id', response(callId.subarray(1))],
      ['a pong', new EventHandlerClientToRuntimeMessage().setPong(new Pong()).serializeBinary()],
      ['another arm', response(callId).map((byte, i) => (i === 0 ? 3 * 8 + 2 : byte))],
      ['a trailing unknown field', Buffer.concat([response(callId), Buffer.from([0x20, 0x01])])],
    ];
    for (const [what, bytes] of others) {
      assert.equal(succeededResponseCallId(bytes, eventHandlersResponseArm.field), undefined, what);
    }
  });
});

describe('CallIds', () => {
  it('gives distinct 16-byte version 4 ids and reads back their numbers', () => {
    const ids = new CallIds();
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const { number, bytes } = ids.next();
      assert.equal(number, i);
      assert.equal(bytes.length, 16);
      assert.equal((bytes[7] as number) >> 4, 4, 'version 4 (high half of byte 7 in .NET order)');
      assert.equal((bytes[8] as number) >> 6, 2, 'RFC 4122 variant');
      seen.add(Buffer.from(bytes).toString('hex'));
      assert.equal(ids.numberOf(Uint8Array.from(bytes)), number);
    }
    assert.equal(seen.size, 1000);
  });

  it('does not recognise ids of another connection, random ids or ids of the wrong length', () => {
    const ours = new CallIds();
    const theirs = new CallIds();
    ours.next();
    assert.equal(ours.numberOf(theirs.next().bytes), undefined);
    assert.equal(ours.numberOf(crypto.getRandomValues(new Uint8Array(16))), undefined);
    assert.equal(ours.numberOf(ours.next().bytes.subarray(0, 15)), undefined);
  });
});
