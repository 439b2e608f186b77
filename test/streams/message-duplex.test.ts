/**
 * connection.duplex(): a server connection as an object-mode Duplex of messages, so that
 * `stream.pipeline(duplex, transform, duplex)` is a handler — messages through the
 * transform, backpressure both ways measured on a `ws` client, errors propagated (to the
 * pipeline's callback, and to the client as a close code).
 */
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CloseError, WebSocketError, type Connection, type MessageDuplex, type MessageDuplexOptions } from '../../src/index.js';
import { delay, eventually, nextEvent, withTimeout } from '../helpers/timeouts.js';
import { serverPool, wsClient } from './helpers.js';

const MiB = 1 << 20;
const listen = serverPool(test);

/** Our server running `handler` on each connection's duplex view. */
const serve = (handler: (duplex: MessageDuplex, connection: Connection) => void, options: MessageDuplexOptions = {}): ReturnType<typeof listen> =>
  listen((connection) => handler(connection.duplex(options), connection));

/** pipeline(duplex, transform, duplex); resolves with the error its callback got (null when it succeeded). */
function pipeThrough(duplex: MessageDuplex, transform: Transform): Promise<Error | null> {
  return new Promise((resolve) => pipeline(duplex, transform, duplex, (error) => resolve(error ?? null)));
}

function mapping(map: (message: string | Buffer) => string | Buffer): Transform {
  return new Transform({
    objectMode: true,
    transform(message: string | Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        callback(null, map(message));
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}

test('pipeline(duplex, transform, duplex): text as strings, binary as Buffers, in order; it succeeds when the client closes', async () => {
  const results: Array<Promise<Error | null>> = [];
  const transform = (): Transform => mapping((m) => (typeof m === 'string' ? m.toUpperCase() : Buffer.from(m).reverse()));
  const { url } = await serve((duplex) => results.push(pipeThrough(duplex, transform())));
  const client = await wsClient(url);
  for (let i = 0; i < 100; i++) client.ws.send(`message ${i}`);
  client.ws.send(Buffer.from([1, 2, 3]));
  await eventually(() => client.messages.length === 101, 5000, 'the replies');
  assert.equal(client.messages.slice(0, 2), ['MESSAGE 0', 'MESSAGE 1']);
  assert.equal(client.messages[100], Buffer.from([3, 2, 1]));
  client.ws.close(1000);
  assert.equal(await client.closed, { code: 1000, reason: '' });
  assert.is(await withTimeout(results[0]!, 5000, 'the pipeline'), null);
});

test('a transform that fails: the pipeline reports it, the client sees 1011 (or the code of a WebSocketError)', async () => {
  for (const [error, expected] of [
    [new Error('boom'), { code: 1011, reason: '' }],
    [new WebSocketError('no binary', { closeCode: 1003, reason: 'no binary' }), { code: 1003, reason: 'no binary' }],
  ] as const) {
    const results: Array<Promise<Error | null>> = [];
    const { url } = await serve((duplex) =>
      results.push(
        pipeThrough(
          duplex,
          mapping((m) => {
            if (typeof m !== 'string') throw error;
            return m;
          }),
        ),
      ),
    );
    const client = await wsClient(url);
    client.ws.send('fine');
    client.ws.send(Buffer.from([0]));
    assert.equal(await client.closed, expected);
    assert.equal(client.messages, ['fine']);
    assert.is(await withTimeout(results[0]!, 5000, 'the pipeline'), error);
  }
});

test('a client that drops the connection fails the pipeline with a CloseError (1006)', async () => {
  const results: Array<Promise<Error | null>> = [];
  const { url } = await serve((duplex) => results.push(pipeThrough(duplex, mapping((m) => m))));
  const client = await wsClient(url);
  client.ws.terminate();
  const error = await withTimeout(results[0]!, 5000, 'the pipeline');
  assert.instance(error, CloseError);
  assert.is((error as CloseError).closeCode, 1006);
});

test("receive backpressure: while nobody reads the Duplex the client's send buffer grows; then every message arrives in order", async () => {
  let duplex: MessageDuplex | undefined;
  const { url } = await serve((given) => (duplex = given), { readableHighWaterMark: 4 });
  const client = await wsClient(url);
  for (let i = 0; i < 64; i++) client.ws.send(Buffer.alloc(MiB, i));
  await delay(300);
  assert.ok(client.ws.bufferedAmount > 32 * MiB, `the client still holds ${client.ws.bufferedAmount} bytes`);
  assert.ok(duplex!.readableLength <= 4 + 1);
  let expected = 0;
  for await (const message of duplex!) {
    assert.is((message as Buffer)[MiB - 1], expected);
    if (++expected === 64) break;
  }
  await eventually(() => client.ws.bufferedAmount === 0, 5000, "the client's send buffer to drain");
  assert.equal(await client.closed, { code: 1005, reason: '' }, 'destroy() without an error closes with no code');
});

test('send backpressure: while the client does not read, write() returns false; drain comes once it reads', async () => {
  let duplex: MessageDuplex | undefined;
  const { url } = await serve((given) => (duplex = given));
  const client = await wsClient(url);
  client.ws.pause();
  let writes = 0;
  while (duplex!.write(Buffer.alloc(MiB, writes))) writes++;
  assert.ok(writes < 64, `write() returned false after ${writes} MiB`);
  const drained = nextEvent(duplex!, 'drain', 10000);
  await delay(200);
  client.ws.resume();
  await drained;
  await eventually(() => client.messages.length === writes + 1, 5000, 'every message at the client');
  duplex!.end();
  assert.equal(await client.closed, { code: 1005, reason: '' }, 'end() closes with no code');
  await withTimeout(nextEvent(duplex!, 'finish', 5000), 5000, "the Duplex's finish");
});

test('it writes strings and bytes only; after a normal close its readable side ends and writing fails', async () => {
  let duplex: MessageDuplex | undefined;
  const { url } = await serve((given) => (duplex = given));
  const client = await wsClient(url);
  duplex!.on('error', () => {});
  const wrongType = new Promise<Error | null | undefined>((resolve) => duplex!.write(42, resolve));
  assert.instance(await withTimeout(wrongType, 2000, 'the write of a number'), TypeError);
  const { url: url2 } = await serve((given) => (duplex = given));
  const second = await wsClient(url2);
  duplex!.on('error', () => {});
  const ended = nextEvent(duplex!, 'end', 5000);
  duplex!.resume();
  second.ws.close(1000);
  await second.closed;
  await ended;
  const late = new Promise<Error | null | undefined>((resolve) => duplex!.write('late', resolve));
  assert.instance(await withTimeout(late, 2000, 'a write after the close'), Error);
  client.ws.close();
  await client.closed;
});

test.run();
