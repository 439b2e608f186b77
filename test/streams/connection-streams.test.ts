/**
 * connection.stream() on the server: a handler that is `readable.pipeThrough(transform)
 * .pipeTo(writable)`, with `ws` clients (and our WebSocketStream): messages through the
 * transform, backpressure both ways measured on the client, the codes that cancelling,
 * aborting and errors close with, and how a close ends the streams.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TransformStream } from 'node:stream/web';
import { CloseError, WebSocketError, WebSocketStream, type Connection, type ConnectionStreams, type WebStreamOptions } from '../../src/index.js';
import { closeOf } from '../helpers/servers.js';
import { delay, eventually, withTimeout } from '../helpers/timeouts.js';
import { isPending, rejection, serverPool, wsClient } from './helpers.js';

const MiB = 1 << 20;
const listen = serverPool(test);

/** Our server running `handler` on each connection's stream view. */
const serve = (handler: (streams: ConnectionStreams, connection: Connection) => void, options: WebStreamOptions = {}): ReturnType<typeof listen> =>
  listen((connection) => handler(connection.stream(options), connection));

const upperCase = (): TransformStream<string | Uint8Array, string | Uint8Array> =>
  new TransformStream({ transform: (chunk, controller) => controller.enqueue(typeof chunk === 'string' ? chunk.toUpperCase() : chunk.reverse()) });

test('a handler that pipes its readable through a transform to its writable: messages in order; the pipe resolves when the client closes', async () => {
  const piped: Array<Promise<void>> = [];
  const closedInfo: Array<Promise<unknown>> = [];
  const { url } = await serve(({ readable, writable, closed }) => {
    piped.push(readable.pipeThrough(upperCase()).pipeTo(writable));
    closedInfo.push(closed);
  });
  const client = await wsClient(url);
  for (let i = 0; i < 100; i++) client.ws.send(`message ${i}`);
  client.ws.send(Buffer.from([1, 2, 3]));
  await eventually(() => client.messages.length === 101, 5000, 'the replies');
  assert.equal(client.messages.slice(0, 3), ['MESSAGE 0', 'MESSAGE 1', 'MESSAGE 2']);
  assert.equal(client.messages[100], Buffer.from([3, 2, 1]));
  client.ws.close(1000, 'bye');
  assert.equal(await client.closed, { code: 1000, reason: '' });
  await withTimeout(piped[0]!, 5000, 'the pipe');
  assert.equal(await closedInfo[0], { closeCode: 1000, reason: 'bye' });
});

test('our WebSocketStream to a server handler made of streams, both ends piped', async () => {
  const { url } = await serve(({ readable, writable }) => void readable.pipeThrough(upperCase()).pipeTo(writable).catch(() => {}));
  const wss = new WebSocketStream(url);
  const { readable, writable } = await withTimeout(wss.opened, 5000, 'opened');
  const { ReadableStream } = await import('node:stream/web');
  const words = ['alpha', 'beta', 'gamma'];
  void ReadableStream.from(words).pipeTo(writable, { preventClose: true });
  const got: string[] = [];
  for await (const chunk of readable) {
    got.push(chunk as string);
    if (got.length === words.length) break;
  }
  assert.equal(got, ['ALPHA', 'BETA', 'GAMMA']);
  assert.equal(await withTimeout(wss.closed, 5000, 'closed'), { closeCode: 1005, reason: '' });
});

test("receive backpressure on the server: while its readable is not read, the client's send buffer grows; then all arrives in order", async () => {
  let streams: ConnectionStreams | undefined;
  const { url } = await serve((given) => (streams = given), { readableHighWaterMark: MiB });
  const client = await wsClient(url);
  const chunk = Buffer.alloc(MiB);
  for (let i = 0; i < 64; i++) client.ws.send(Buffer.from(chunk.fill(i)));
  await delay(300);
  assert.ok(client.ws.bufferedAmount > 32 * MiB, `the client still holds ${client.ws.bufferedAmount} bytes`);
  let expected = 0;
  for await (const message of streams!.readable) {
    assert.is((message as Uint8Array)[0], expected);
    if (++expected === 64) break;
  }
  await eventually(() => client.ws.bufferedAmount === 0, 5000, "the client's send buffer to drain");
  await client.closed;
});

test("send backpressure on the server: while the client does not read, the writable's writes stall and its desired size goes negative", async () => {
  let streams: ConnectionStreams | undefined;
  const { url } = await serve((given) => (streams = given), { writableHighWaterMark: MiB });
  const client = await wsClient(url);
  client.ws.pause();
  const writer = streams!.writable.getWriter();
  const writes: Array<Promise<void>> = [];
  for (let i = 0; i < 64; i++) writes.push(writer.write(new Uint8Array(MiB).fill(i)));
  assert.ok(writer.desiredSize! < 0);
  await delay(300);
  assert.ok(await isPending(writes[63]!), 'the last write waits');
  assert.is(client.messages.length, 0);
  client.ws.resume();
  await withTimeout(Promise.all(writes), 10000, 'the writes once the client reads');
  assert.is(writer.desiredSize, MiB);
  await eventually(() => client.messages.length === 64, 5000, 'every message at the client');
  assert.ok(client.messages.every((message, i) => (message as Buffer)[MiB - 1] === i));
  await writer.close();
  assert.equal(await client.closed, { code: 1005, reason: '' });
});

test('cancelling the readable or aborting the writable with a WebSocketError sends its code; an Error or nothing closes without one', async () => {
  const cases: Array<[(streams: ConnectionStreams) => Promise<void>, { code: number; reason: string }]> = [
    [(s) => s.readable.cancel(new WebSocketError('bad input', { closeCode: 4001, reason: 'bad input' })), { code: 4001, reason: 'bad input' }],
    [(s) => s.writable.abort(new WebSocketError('', { closeCode: 1011 })), { code: 1011, reason: '' }],
    [(s) => s.writable.abort(new Error('boom')), { code: 1005, reason: '' }],
    [(s) => s.readable.cancel(), { code: 1005, reason: '' }],
  ];
  for (const [end, expected] of cases) {
    const { url } = await serve((streams) => void end(streams));
    const client = await wsClient(url);
    assert.equal(await client.closed, expected);
  }
});

test("a transform that throws a WebSocketError closes the connection with its code: the handler's pipe rejects with it", async () => {
  const piped: Array<Promise<unknown>> = [];
  const { url } = await serve(({ readable, writable }) => {
    const strict = new TransformStream<string | Uint8Array, string | Uint8Array>({
      transform(chunk, controller) {
        if (typeof chunk !== 'string') throw new WebSocketError('text only', { closeCode: 1003, reason: 'text only' });
        controller.enqueue(chunk);
      },
    });
    piped.push(readable.pipeThrough(strict).pipeTo(writable).then(() => null, (error: unknown) => error));
  });
  const client = await wsClient(url);
  client.ws.send('fine');
  client.ws.send(Buffer.from([0]));
  assert.equal(await client.closed, { code: 1003, reason: 'text only' });
  assert.equal(client.messages, ['fine']);
  const error = await withTimeout(piped[0]!, 5000, 'the pipe');
  assert.instance(error, WebSocketError);
  assert.is((error as WebSocketError).closeCode, 1003);
});

test('a client that drops the connection: the readable errors, closed and the pipe reject, with a CloseError (1006)', async () => {
  const seen: Array<Promise<unknown>> = [];
  const { url } = await serve(({ readable, writable, closed }) => {
    seen.push(...[readable.pipeTo(writable), closed].map((promise) => promise.then(() => assert.unreachable('rejects'), (error: unknown) => error)));
  });
  const client = await wsClient(url);
  client.ws.terminate();
  const [piped, closed] = await withTimeout(Promise.all(seen), 5000, 'the rejections');
  assert.instance(closed, CloseError);
  assert.is((closed as CloseError).closeCode, 1006);
  assert.is(piped, closed);
});

test('after a clean close the server writable is not errored: close() resolves; a write fails with InvalidStateError', async () => {
  let streams: ConnectionStreams | undefined;
  const { url, connections } = await serve((given) => (streams = given));
  const client = await wsClient(url);
  client.ws.close(1000);
  await closeOf(connections[0]!);
  assert.equal(await streams!.closed, { closeCode: 1000, reason: '' });
  const writer = streams!.writable.getWriter();
  const error = await rejection(writer.write('late'), 1000, 'a write after the close');
  assert.instance(error, DOMException);
  assert.is((error as DOMException).name, 'InvalidStateError');
  const other = await serve((given) => (streams = given));
  const second = await wsClient(other.url);
  second.ws.close(1000);
  await closeOf(other.connections[0]!);
  await withTimeout(streams!.writable.getWriter().close(), 1000, 'close() after a clean close');
});

test('stream() gives the same streams again; duplex() after it, options of the wrong type and streamMessages are refused', async () => {
  const { url, connections } = await serve(() => {});
  const client = await wsClient(url);
  const connection = connections[0]!;
  assert.is(connection.stream(), connection.stream());
  assert.throws(() => connection.duplex(), (error: Error) => error instanceof TypeError && /already taken as connection\.stream\(\)/.test(error.message));
  assert.throws(() => connection.stream({ readableHighWaterMark: -1 }), RangeError);
  assert.throws(() => connection.stream({ writableHighWaterMark: '1' as unknown as number }), TypeError);
  client.ws.close();
  await client.closed;
  const streaming = await listen(
    (given) => {
      assert.throws(() => given.stream(), /streamMessages/);
      given.close(4000);
    },
    { streamMessages: true },
  );
  const other = await wsClient(streaming.url);
  assert.is((await other.closed).code, 4000);
});

test.run();
