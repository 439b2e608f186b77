/**
 * WebSocketStream, receiving with backpressure (web-platform test
 * websockets/stream/tentative/backpressure-receive.any.js), against our server and `ws`:
 * while the readable is not read, what the server sent stays in its send buffer; reading
 * lets it come, every message in order; close() with an unread backlog still completes.
 * (The memory this saves is measured in receive-memory.test.ts.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually, withTimeout } from '../helpers/timeouts.js';
import { openStream, peerPool } from './peers.js';

const peer = peerPool(test);

const MiB = 1 << 20;
const COUNT = 64;

for (const kind of ['wspipe', 'ws'] as const) {
  test(`${kind}: an unread readable leaves what the server sent in its send buffer; reading brings every message, in order`, async () => {
    const { wss, readable, server } = await openStream(await peer(kind), `/blast?count=${COUNT}&size=${MiB}`, { readableHighWaterMark: MiB });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(server.bufferedAmount > (COUNT - 32) * MiB, `the server still holds ${server.bufferedAmount} bytes`);
    let expected = 0;
    for await (const chunk of readable) {
      const message = Buffer.from(chunk as Uint8Array);
      assert.is(message.length, MiB);
      assert.is(message.readUInt32BE(0), expected);
      assert.is(message[MiB - 1], expected & 255);
      if (++expected === COUNT) break; // cancels the readable: closes with no code
    }
    assert.is(expected, COUNT);
    assert.equal(await withTimeout(wss.closed, 5000, 'closed'), { closeCode: 1005, reason: '' });
    assert.is(server.bufferedAmount, 0);
  });

  test(`${kind}: close() with an unread backlog completes: the queued messages stay readable, later ones are dropped`, async () => {
    const { wss, readable } = await openStream(await peer(kind), `/blast?count=${COUNT}&size=${MiB}`, { readableHighWaterMark: 4 * MiB });
    // Give the first messages time to arrive (a loaded machine is slow; nothing else tells).
    await new Promise((resolve) => setTimeout(resolve, 500));
    wss.close({ closeCode: 3000 });
    assert.equal(await withTimeout(wss.closed, 10000, 'closed'), { closeCode: 3000, reason: '' });
    let received = 0;
    for await (const chunk of readable) {
      assert.is(Buffer.from(chunk as Uint8Array).readUInt32BE(0), received);
      received++;
    }
    assert.ok(received >= 1 && received < COUNT, `${received} messages were queued before the close`);
  });

  test(`${kind}: readableHighWaterMark 0 reads one message per read()`, async () => {
    const { wss, readable, writable, server } = await openStream(await peer(kind), '/echo', { readableHighWaterMark: 0 });
    const writer = writable.getWriter();
    for (let i = 0; i < 3; i++) await writer.write(`m${i}`);
    await eventually(() => server.received.length === 3, 5000, 'the messages at the server');
    const reader = readable.getReader();
    assert.equal(await Promise.all([reader.read(), reader.read(), reader.read()]), [
      { value: 'm0', done: false },
      { value: 'm1', done: false },
      { value: 'm2', done: false },
    ]);
    wss.close();
    await withTimeout(wss.closed, 5000, 'closed');
  });
}

test.run();
