import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Readable } from 'node:stream';
import type { DataMessage } from '../../src/index.js';
import { openPair, once, delay } from '../helpers/pair.js';

test('send() reports backpressure and drain follows when the peer reads again', async () => {
  const pair = await openPair();
  // Stop reading on the server side so the client's buffers fill.
  (pair.serverSide as unknown as { socket: { pause(): void; resume(): void } }).socket.pause();
  const chunk = Buffer.alloc(1 << 20, 1);
  let sent = 0;
  while (pair.client.send(chunk)) {
    sent++;
    if (sent > 256) break;
  }
  assert.ok(sent < 256, 'send() returned false before 256 MiB were buffered');
  assert.ok(pair.client.bufferedAmount > 0);
  const drained = once(pair.client, 'drain');
  let received = 0;
  pair.serverSide.on('message', () => received++);
  (pair.serverSide as unknown as { socket: { resume(): void } }).socket.resume();
  await drained;
  while (received < sent + 1) await delay(5);
  assert.is(received, sent + 1);
  await pair.close();
});

test('maxBufferedAmount bounds the send buffer: send() throws instead of growing memory', async () => {
  const pair = await openPair({}, { maxBufferedAmount: 4 << 20 });
  (pair.serverSide as unknown as { socket: { pause(): void } }).socket.pause();
  const chunk = Buffer.alloc(1 << 20);
  assert.throws(() => {
    for (let i = 0; i < 64; i++) pair.client.send(chunk);
  }, /Send buffer full/);
  assert.ok(pair.client.bufferedAmount <= 5 << 20);
  await pair.close();
});

test('async iteration delivers messages in order and pauses the socket for a slow consumer', async () => {
  const pair = await openPair();
  const total = 300;
  for (let i = 0; i < total; i++) pair.serverSide.send(`n${i}`);
  pair.serverSide.close(1000);
  const socket = (pair.client as unknown as { socket: { isPaused(): boolean } }).socket;
  const seen: string[] = [];
  let pausedObserved = false;
  for await (const message of pair.client) {
    seen.push((message as DataMessage & { type: 'text' }).data);
    if (seen.length === 1) {
      await delay(50); // slow consumer: the queue fills and the socket pauses
      pausedObserved = socket.isPaused();
    }
  }
  assert.ok(pausedObserved, 'the socket was paused while the consumer lagged');
  assert.is(seen.length, total);
  assert.equal(seen.slice(0, 3), ['n0', 'n1', 'n2']);
  assert.is(seen[total - 1], `n${total - 1}`);
  await pair.close();
});

test('breaking out of async iteration leaves the connection open and flowing', async () => {
  const pair = await openPair();
  for (let i = 0; i < 40; i++) pair.serverSide.send(`m${i}`);
  let count = 0;
  for await (const _message of pair.client) {
    if (++count === 2) break;
  }
  const after = new Promise<void>((resolve) =>
    pair.client.on('message', (message) => {
      if (message.type === 'text' && message.data === 'after') resolve();
    }),
  );
  pair.serverSide.send('after');
  await after;
  assert.is(pair.client.readyState, 1);
  await pair.close();
});

test('sendStream sends a Readable as one message; other sends wait for it', async () => {
  const pair = await openPair();
  const parts = Array.from({ length: 50 }, (_, i) => Buffer.alloc(100_000, i));
  const messages: DataMessage[] = [];
  pair.serverSide.on('message', (message) => messages.push(message));
  const streaming = pair.client.sendStream(Readable.from(parts));
  pair.client.send('after the stream');
  await streaming;
  while (messages.length < 2) await delay(5);
  assert.is(messages[0]!.type, 'binary');
  assert.equal(messages[0]!.data, Buffer.concat(parts));
  assert.equal(messages[1], { type: 'text', data: 'after the stream' });
  await pair.close();
});

test('streamMessages: a message larger than maxPayload streams through, bounded by backpressure', async () => {
  const pair = await openPair({ streamMessages: true, maxPayload: 1 << 20 });
  const streamed = once<[import('../../src/index.js').MessageStream]>(pair.serverSide, 'stream');
  const parts = Array.from({ length: 40 }, (_, i) => Buffer.alloc(256 * 1024, i));
  const sending = pair.client.sendStream(Readable.from(parts));
  const [stream] = await streamed;
  assert.is(stream.type, 'binary');
  let bytes = 0;
  let lastByte = -1;
  for await (const chunk of stream) {
    bytes += (chunk as Buffer).length;
    lastByte = (chunk as Buffer)[(chunk as Buffer).length - 1]!;
    await delay(1);
  }
  await sending;
  assert.is(bytes, 40 * 256 * 1024, '10 MiB through a 1 MiB maxPayload');
  assert.is(lastByte, 39);
  await pair.close();
});

test('streamMessages: an unread streamed message pauses the socket, and each later one does again', async () => {
  const pair = await openPair({ streamMessages: true, maxPayload: 1 << 20 });
  const socket = (pair.serverSide as unknown as { socket: { isPaused(): boolean } }).socket;
  const streams: Array<import('../../src/index.js').MessageStream> = [];
  pair.serverSide.on('stream', (stream) => streams.push(stream));
  for (let round = 0; round < 2; round++) {
    const sending = pair.client.sendStream(Readable.from(Array.from({ length: 16 }, () => Buffer.alloc(256 * 1024, round))));
    while (streams.length <= round) await delay(5);
    await delay(50); // nobody reads the stream yet: its buffer fills
    assert.ok(socket.isPaused(), `message ${round}: the socket paused while its stream was unread`);
    let bytes = 0;
    for await (const chunk of streams[round]!) bytes += (chunk as Buffer).length;
    await sending;
    assert.is(bytes, 16 * 256 * 1024);
    assert.not.ok(socket.isPaused(), `message ${round}: reading it resumed the socket`);
  }
  await pair.close();
});

test('streamMessages: invalid UTF-8 in a streamed text message fails with 1007', async () => {
  const pair = await openPair({ streamMessages: true });
  const closed = once<[number]>(pair.client, 'close');
  pair.serverSide.on('stream', (stream) => stream.on('error', () => {}).resume());
  const { socket } = pair.client as unknown as { socket: { write(b: Buffer): void } };
  const { frame, MASK } = await import('../helpers/frames.js');
  socket.write(frame({ opcode: 1, fin: false, payload: 'ok', mask: MASK }));
  socket.write(frame({ opcode: 0, payload: Uint8Array.from([0xc0, 0x80]), mask: MASK }));
  const [code] = await closed;
  assert.is(code, 1007);
  await pair.close();
});

test.run();
