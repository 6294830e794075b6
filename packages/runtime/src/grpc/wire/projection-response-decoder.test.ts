import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  Pong,
  ProcessorFailure,
  ProjectionClientToRuntimeMessage,
  ProjectionDeleteResponse,
  ProjectionReplaceResponse,
  ProjectionResponse,
  ReverseCallResponseContext,
  Uuid,
} from '../contracts.js';
import { validMutatedOrRandom } from './bytes-for-tests.js';
import { decodeProjectionAnswer } from './projection-response-decoder.js';

interface Answer {
  readonly callId?: Uint8Array;
  readonly replace?: string;
  readonly delete?: boolean;
  readonly failure?: ProcessorFailure;
}

function encode(answer: Answer): Uint8Array {
  const response = new ProjectionResponse();
  if (answer.callId !== undefined)
    response.setCallcontext(new ReverseCallResponseContext().setCallid(new Uuid().setValue(answer.callId)));
  if (answer.replace !== undefined) response.setReplace(new ProjectionReplaceResponse().setState(answer.replace));
  if (answer.delete === true) response.setDelete(new ProjectionDeleteResponse());
  if (answer.failure !== undefined) response.setFailure(answer.failure);
  return new ProjectionClientToRuntimeMessage().setHandleresult(response).serializeBinary();
}

const randomCallId = (): Uint8Array => crypto.getRandomValues(new Uint8Array(16));

describe('decodeProjectionAnswer', () => {
  it('reads replace answers as the contract classes encode them, with any state text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.string({ unit: 'grapheme' }), (callId, state) => {
        const decoded = decodeProjectionAnswer(encode({ callId, replace: state }));
        assert.ok(decoded !== undefined);
        assert.deepEqual(decoded.callId, callId);
        assert.equal(decoded.response.state, state);
      }),
      { numRuns: 300 },
    );
  });

  it('reads a state of 100,000 characters, whose lengths take three-byte varints', () => {
    const state = JSON.stringify({ text: 'é'.repeat(50_000) });
    const callId = randomCallId();
    const decoded = decodeProjectionAnswer(encode({ callId, replace: state }));
    assert.equal(decoded?.response.state, state);
  });

  it('reads delete answers', () => {
    const callId = randomCallId();
    const decoded = decodeProjectionAnswer(encode({ callId, delete: true }));
    assert.ok(decoded !== undefined);
    assert.deepEqual(decoded.callId, callId);
    assert.equal(decoded.response.state, undefined);
  });

  it('leaves every other message to the full decoder', () => {
    const callId = randomCallId();
    const replace = encode({ callId, replace: '{}' });
    const others: [string, Uint8Array][] = [
      ['a failure', encode({ callId, failure: new ProcessorFailure().setReason('no').setRetry(true) })],
      ['a failure beside a replace', encode({ callId, replace: '{}', failure: new ProcessorFailure() })],
      ['neither replace nor delete', encode({ callId })],
      ['no call context', encode({ replace: '{}' })],
      ['a 15-byte call id', encode({ callId: callId.subarray(1), replace: '{}' })],
      ['a pong', new ProjectionClientToRuntimeMessage().setPong(new Pong()).serializeBinary()],
      ['another arm', replace.map((byte, i) => (i === 0 ? 3 * 8 + 2 : byte))],
      ['a trailing unknown field', Buffer.concat([replace, Buffer.from([0x20, 0x01])])],
      ['truncated', replace.subarray(0, replace.length - 1)],
      ['empty', new Uint8Array()],
    ];
    for (const [what, bytes] of others) assert.equal(decodeProjectionAnswer(bytes), undefined, what);
  });

  it('never disagrees with the contract classes on any bytes it accepts', () => {
    const valid = fc
      .record({
        callId: fc.uint8Array({ minLength: 16, maxLength: 16 }),
        state: fc.option(fc.string(), { nil: undefined }),
      })
      .map(({ callId, state }) => encode(state === undefined ? { callId, delete: true } : { callId, replace: state }));
    fc.assert(
      fc.property(validMutatedOrRandom(valid, 64), (bytes) => {
        const decoded = decodeProjectionAnswer(bytes);
        if (decoded === undefined) return;
        const reference = ProjectionClientToRuntimeMessage.deserializeBinary(bytes).getHandleresult();
        assert.ok(reference !== undefined);
        assert.deepEqual(decoded.callId, reference.getCallcontext()?.getCallid()?.getValue_asU8());
        assert.equal(reference.hasFailure(), false);
        if (decoded.response.state === undefined) assert.equal(reference.hasDelete(), true);
        else assert.equal(reference.getReplace()?.getState(), decoded.response.state);
      }),
      { numRuns: 2000 },
    );
  });
});
