import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { ReverseCallWriter } from './reverse-call-writer.js';

/** A real object-mode Writable whose transport completes writes only when told to (like a stalled client). */
function stalledStream(highWaterMark: number) {
  const written: string[] = [];
  const callbacks: (() => void)[] = [];
  const stream = new Writable({
    objectMode: true,
    highWaterMark,
    write(chunk: string, _encoding, callback) {
      written.push(chunk);
      callbacks.push(() => callback());
    },
  });
  const release = async () => {
    while (callbacks.length > 0) {
      callbacks.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { stream, written, release };
}

describe('ReverseCallWriter', () => {
  it('writes in order and waits for drain once the stream says its buffer is full', async () => {
    const { stream, written, release } = stalledStream(2);
    const writer = new ReverseCallWriter<string>(stream);
    for (const m of ['a', 'b', 'c', 'd', 'e']) writer.write(m);
    // 'a' is in the transport, 'b' buffered: write returned false, so c, d, e wait in our queue.
    assert.equal(writer.queued, 3);
    assert.equal(stream.listenerCount('drain'), 1);
    await release();
    await release();
    assert.deepEqual(written, ['a', 'b', 'c', 'd', 'e']);
    assert.equal(writer.queued, 0);
    assert.equal(writer.busy, false);
    assert.equal(stream.listenerCount('drain'), 0);
  });

  it('skips pings while anything is queued or in flight, so they never pile up', async () => {
    const { stream, written, release } = stalledStream(1);
    const writer = new ReverseCallWriter<string>(stream);
    assert.equal(
      writer.writeIfIdle(() => 'ping-1'),
      true,
    );
    writer.write('request');
    for (let i = 0; i < 10; i++)
      assert.equal(
        writer.writeIfIdle(() => 'ping-late'),
        false,
      );
    await release();
    await release();
    assert.deepEqual(written, ['ping-1', 'request']);
    assert.equal(
      writer.writeIfIdle(() => 'ping-2'),
      true,
    );
  });

  it('withdraws a request that was not written yet', async () => {
    const { stream, written, release } = stalledStream(1);
    const writer = new ReverseCallWriter<string>(stream);
    writer.write('a');
    writer.write('b');
    writer.write('c');
    assert.equal(writer.withdraw('b'), true);
    assert.equal(writer.withdraw('a'), false, "'a' is already in the stream");
    await release();
    await release();
    assert.deepEqual(written, ['a', 'c']);
  });

  it('discard drops the queue and releases the drain listener', async () => {
    const { stream, written, release } = stalledStream(1);
    const writer = new ReverseCallWriter<string>(stream);
    writer.write('a');
    writer.write('b');
    assert.equal(stream.listenerCount('drain'), 1);
    writer.discard();
    assert.equal(stream.listenerCount('drain'), 0);
    writer.write('c');
    assert.equal(
      writer.writeIfIdle(() => 'ping'),
      false,
    );
    await release();
    assert.deepEqual(written, ['a']);
  });
});
