/**
 * Sending as a user meets it: a single message may be larger than the send-buffer bound;
 * a message that does not fit behind buffered bytes is refused with an error saying so,
 * and 'drain' then comes; once the connection closes, send() returns false and drained()
 * rejects, so the README's loop ends; data of the wrong type is a TypeError; sendStream()
 * settles by what reached the peer. Real sockets on 127.0.0.1, `ws` and our own peers.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocketServer as WsServer, type WebSocket as WsSocket } from 'ws';
import { connect, Connection, createServer, DEFAULT_MAX_BUFFERED_AMOUNT, DEFAULT_MAX_PAYLOAD, WebSocketError, type DataMessage } from '../../src/index.js';
import { frame } from '../helpers/frames.js';
import { mentions } from '../helpers/option-rows.js';
import { closeOf, nextConnection, startListening } from '../helpers/servers.js';
import { socketPair } from '../helpers/socket-pair.js';
import { delay, nextEvent, withTimeout } from '../helpers/timeouts.js';
import { Receiver } from '../helpers/ws-peer.js';
import { startRawServer } from '../websocket/raw-server.js';

const MiB = 1 << 20;

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A `ws` server on 127.0.0.1 that reports the first message it receives (whole, as bytes). */
async function wsReceiver(): Promise<{ url: string; message: Promise<Buffer>; stop: () => Promise<void> }> {
  const server = new WsServer({ host: '127.0.0.1', port: 0, maxPayload: 0 });
  await nextEvent(server, 'listening', 5000, 'the ws server to listen');
  const message = new Promise<Buffer>((resolve) => server.once('connection', (socket: WsSocket) => socket.once('message', (data: Buffer) => resolve(data))));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    message,
    stop: async () => {
      for (const client of server.clients) client.terminate();
      await withTimeout(new Promise<void>((resolve) => server.close(() => resolve())), 5000, 'the ws server to close');
    },
  };
}

test('a message larger than maxBufferedAmount goes when nothing is buffered: 3 MiB with a 1 MiB bound reaches a ws peer whole', async () => {
  const peer = await wsReceiver();
  const client = await connect(peer.url, { maxBufferedAmount: MiB });
  try {
    const payload = randomBytes(3 * MiB);
    assert.is(client.bufferedAmount, 0);
    client.send(payload); // no throw: nothing else is buffered
    const received = await withTimeout(peer.message, 10_000, 'the 3 MiB message at the ws peer');
    assert.is(received.length, payload.length);
    assert.is(sha256(received), sha256(payload));
  } finally {
    client.terminate();
    await peer.stop();
  }
});

test('the defaults send any message a default peer accepts: one 64 MiB + 1 byte message reaches our server whole', async () => {
  // The bound and the peer's limit are one number, so a message the peer takes can be sent.
  assert.is(DEFAULT_MAX_BUFFERED_AMOUNT, DEFAULT_MAX_PAYLOAD);
  let resolveMessage!: (message: DataMessage) => void;
  const message = new Promise<DataMessage>((resolve) => (resolveMessage = resolve));
  const server = await startListening({}, (connection) => connection.once('message', resolveMessage));
  const client = await connect(server.url);
  try {
    const payload = Buffer.alloc(64 * MiB + 1, 'wspipe');
    payload.writeUInt32BE(0xdeadbeef, payload.length - 4);
    client.send(payload);
    const received = await withTimeout(message, 30_000, 'the 64 MiB + 1 message at the server');
    assert.is(received.type, 'binary');
    assert.is((received.data as Buffer).length, payload.length);
    assert.is(sha256(received.data as Buffer), sha256(payload));
  } finally {
    client.terminate();
    await server.stop();
  }
});

/** Sends `chunk` until send() says to wait; the peer does not read, so the bytes stay buffered. */
function fillUntilFull(connection: Connection, chunk: Buffer, atMost: number): number {
  let sent = 0;
  while (sent < atMost) {
    sent++;
    if (!connection.send(chunk)) return sent;
  }
  throw new Error(`send() never returned false in ${atMost} sends`);
}

test("with bytes buffered, a message that does not fit throws WS_ERR_SEND_BUFFER_FULL naming its size and maxBufferedAmount; 'drain' then comes and it goes", async () => {
  const sockets = await socketPair();
  const limit = 4 * MiB;
  const client = new Connection(sockets.local, { role: 'client', maxBufferedAmount: limit });
  sockets.remote.pause(); // the peer stops reading
  try {
    const filled = fillUntilFull(client, Buffer.alloc(256 * 1024), 64);
    assert.ok(client.bufferedAmount > 0);
    const size = limit - 7;
    let error: (Error & { code?: string }) | undefined;
    try {
      client.send(Buffer.alloc(size));
    } catch (caught) {
      error = caught as Error & { code?: string };
    }
    assert.ok(error, 'the message that does not fit was accepted');
    assert.is(error!.code, 'WS_ERR_SEND_BUFFER_FULL');
    assert.match(error!.message, mentions(size, limit));
    assert.match(error!.message, /maxBufferedAmount/);

    // The peer reads again, with ws's own frame parser.
    const receiver = new Receiver({ isServer: true, maxPayload: 0 });
    const sizes: number[] = [];
    receiver.on('message', (data) => sizes.push(data.length));
    const drained = nextEvent(client, 'drain', 5000, "'drain' after the refusal");
    drained.catch(() => {}); // awaited below; no dangling rejection if an assertion fails first
    sockets.remote.on('data', (chunk: Buffer) => receiver.write(chunk));
    sockets.remote.resume();
    await drained;
    client.send(Buffer.alloc(size));
    await withTimeout(
      (async () => {
        while (sizes.length < filled + 1) await delay(10);
      })(),
      10_000,
      'every message at the peer',
    );
    assert.equal(sizes, [...Array<number>(filled).fill(256 * 1024), size]);
  } finally {
    await sockets.close();
  }
});

test("a refusal while less than the socket's high-water mark is buffered: drained() waits for room, and 'drain' comes once the bytes left", async () => {
  // A socket with a 4 MiB mark: the bytes the kernel does not take stay below it, so the
  // socket itself will emit no 'drain'. The refused sender must still be told when to retry.
  const sockets = await socketPair({ highWaterMark: 4 * MiB });
  const limit = 8 * MiB;
  const client = new Connection(sockets.local, { role: 'client', maxBufferedAmount: limit });
  sockets.remote.pause();
  try {
    const chunk = Buffer.alloc(64 * 1024);
    let sent = 0;
    // Until the kernel's buffers are full and bytes stay in the socket (well below its mark).
    await withTimeout(
      (async () => {
        while (client.bufferedAmount === 0) {
          assert.ok(client.send(chunk), 'send() asked to wait below the mark');
          sent++;
          await delay(1);
        }
      })(),
      10_000,
      'the kernel buffers to fill',
    );
    assert.ok(client.bufferedAmount < 4 * MiB);
    assert.throws(() => client.send(Buffer.alloc(limit - 1)), (error: Error & { code?: string }) => error.code === 'WS_ERR_SEND_BUFFER_FULL');
    let ready = false;
    const drainedPromise = client.drained().then(() => (ready = true));
    const drainEvent = nextEvent(client, 'drain', 10_000, "'drain' once the buffered bytes left");
    drainEvent.catch(() => {}); // awaited below; no dangling rejection if an assertion fails first
    await delay(100);
    assert.not.ok(ready, 'drained() resolved while the refused message still could not be sent');
    const receiver = new Receiver({ isServer: true, maxPayload: 0 });
    let messages = 0;
    receiver.on('message', () => messages++);
    sockets.remote.on('data', (chunk: Buffer) => receiver.write(chunk));
    sockets.remote.resume();
    await drainEvent;
    await withTimeout(drainedPromise, 5000, 'drained() to resolve');
    client.send(Buffer.alloc(limit - 1));
    await withTimeout(
      (async () => {
        while (messages < sent + 1) await delay(10);
      })(),
      10_000,
      'every message at the peer',
    );
  } finally {
    await sockets.close();
  }
});

/** The README's sending loop: send while there is room, else wait for it. */
async function sendLoop(connection: Connection, chunk: Buffer): Promise<number> {
  let sent = 0;
  for (let i = 0; i < 100_000; i++) {
    if (!connection.send(chunk)) await connection.drained();
    sent++;
  }
  return sent;
}

for (const ending of ['sends a close frame', 'drops the TCP connection'] as const) {
  test(`the README loop ends when a peer that stopped reading ${ending}: drained() rejects with a WebSocketError`, async () => {
    let stopReading!: () => void;
    const full = new Promise<void>((resolve) => (stopReading = resolve));
    const raw = await startRawServer(async (peer) => {
      peer.socket.pause();
      await full;
      if (ending === 'sends a close frame') {
        peer.write(frame({ opcode: 0x8, payload: Buffer.from([0x03, 0xe9]) })); // 1001, going away
        await delay(200);
      }
      peer.socket.destroy();
    });
    const client = await connect(raw.url, { closeTimeout: 1000 });
    try {
      const closed = closeOf(client, 10_000);
      closed.catch(() => {}); // awaited below; no dangling rejection if an assertion fails first
      const loop = sendLoop(client, Buffer.alloc(64 * 1024));
      await eventuallyFull(client);
      stopReading();
      const error = await withTimeout(loop.then(() => null, (caught: unknown) => caught), 10_000, 'the sending loop to end');
      assert.instance(error, WebSocketError);
      await closed;
      // Closed: send() says no, and drained() keeps rejecting, so no loop can wait forever.
      assert.is(client.send('after the end'), false);
      const after = await withTimeout(client.drained().then(() => null, (caught: unknown) => caught), 1000, 'drained() after close');
      assert.instance(after, WebSocketError);
    } finally {
      client.terminate();
      await raw.stop();
    }
  });
}

/** Waits until the connection holds bytes the peer did not read. */
async function eventuallyFull(connection: Connection): Promise<void> {
  await withTimeout(
    (async () => {
      while (connection.bufferedAmount < 1 << 16) await delay(5);
    })(),
    10_000,
    'the send buffer to fill',
  );
}

test('send(123), send(null), send({}) throw a TypeError (ERR_INVALID_ARG_TYPE) about the data, not a RangeError', async () => {
  const server = await startListening({}, () => {});
  const client = await connect(server.url);
  try {
    for (const data of [123, null, {}, undefined, true]) {
      assert.throws(
        () => client.send(data as never),
        (error: Error & { code?: string }) => error instanceof TypeError && !(error instanceof RangeError) && error.code === 'ERR_INVALID_ARG_TYPE' && /data/i.test(error.message),
        `send(${JSON.stringify(data)})`,
      );
    }
    assert.is(client.readyState, 1, 'a refused send leaves the connection open');
  } finally {
    client.terminate();
    await server.stop();
  }
});

test('sendStream() with a chunk that is neither text nor bytes rejects with send()\'s TypeError, and the connection sends on', async () => {
  let resolveMessage!: (message: DataMessage) => void;
  const message = new Promise<DataMessage>((resolve) => (resolveMessage = resolve));
  const server = await startListening({}, (connection) => connection.once('message', resolveMessage));
  const client = await connect(server.url);
  try {
    async function* numbers(): AsyncGenerator<unknown> {
      yield 123;
    }
    const outcome = await client.sendStream(numbers() as AsyncIterable<Buffer>).then(
      () => null,
      (error: unknown) => error,
    );
    assert.instance(outcome, TypeError);
    assert.is((outcome as Error & { code?: string }).code, 'ERR_INVALID_ARG_TYPE');
    assert.match((outcome as Error).message, /data to send/);
    assert.is(client.readyState, 1, 'nothing of the message was sent: the connection stays open');
    client.send('next');
    assert.equal(await withTimeout(message, 5000, 'the next message at the server'), { type: 'text', data: 'next' });
  } finally {
    client.terminate();
    await server.stop();
  }
});

/** `count` chunks of 1 MiB, each new (pattern-filled, numbered). */
async function* mebibytes(count: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < count; i++) {
    const chunk = Buffer.alloc(MiB, i % 251);
    yield chunk;
  }
}

test('sendStream() rejects when the peer refuses the message: 200 MiB to a server with maxPayload 100 MiB closes with 1009', async () => {
  const server = await startListening({ maxPayload: 100 * MiB }, () => {});
  const client = await connect(server.url);
  try {
    const closed = closeOf(client, 60_000);
    closed.catch(() => {}); // awaited below; no dangling rejection if an assertion fails first
    const outcome = await withTimeout(
      client.sendStream(mebibytes(200)).then(
        () => null,
        (error: unknown) => error,
      ),
      60_000,
      'sendStream() to settle',
    );
    assert.instance(outcome, WebSocketError, `sendStream() resolved or failed otherwise: ${String(outcome)}`);
    assert.is((outcome as WebSocketError).closeCode, 1009);
    assert.is((await closed).code, 1009);
  } finally {
    client.terminate();
    await server.stop();
  }
});

test('sendStream() whose source fails after a frame went out: it rejects with the source\'s error and the connection fails with 1011 (a message cannot be abandoned)', async () => {
  const server = createServer({ host: '127.0.0.1', port: 0 });
  const { port } = await withTimeout(server.listen(), 5000, 'the server to listen');
  const accepted = nextConnection(server);
  accepted.catch(() => {}); // awaited below, unless connecting fails first
  const client = await connect(`ws://127.0.0.1:${port}/`);
  try {
    const peer = await accepted;
    const messages: DataMessage[] = [];
    peer.on('message', (message) => messages.push(message));
    const peerClosed = closeOf(peer);
    const clientClosed = closeOf(client);
    const errors: WebSocketError[] = [];
    client.on('error', (error) => errors.push(error as WebSocketError));
    const broken = new Error('the source broke');
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('first part');
      await delay(20);
      throw broken;
    }
    const outcome = await client.sendStream(failing()).then(
      () => null,
      (error: unknown) => error,
    );
    assert.is(outcome, broken, "sendStream() rejects with the source's own error");
    assert.is(errors.length, 1);
    assert.is(errors[0]!.code, 'WS_ERR_SEND_STREAM_FAILED');
    assert.is(errors[0]!.closeCode, 1011);
    assert.is(errors[0]!.cause, broken);
    assert.not.ok(client.send('after'), 'nothing more is sent');
    assert.is((await peerClosed).code, 1011);
    assert.is((await clientClosed).code, 1011);
    assert.equal(messages, [], 'the unfinished message was never delivered');
  } finally {
    client.terminate();
    await server.close({ timeout: 1000 });
  }
});

test('sendStream() resolves once the message is sent, and the peer gets it whole', async () => {
  let resolveMessage!: (message: DataMessage) => void;
  const message = new Promise<DataMessage>((resolve) => (resolveMessage = resolve));
  const server = createServer({ host: '127.0.0.1', port: 0 });
  const { port } = await withTimeout(server.listen(), 5000, 'the server to listen');
  const accepted = nextConnection(server);
  accepted.catch(() => {}); // awaited below, unless connecting fails first
  const client = await connect(`ws://127.0.0.1:${port}/`);
  try {
    (await accepted).once('message', resolveMessage);
    const expected = createHash('sha256');
    for (let i = 0; i < 5; i++) expected.update(Buffer.alloc(MiB, i % 251));
    await withTimeout(client.sendStream(mebibytes(5)), 10_000, 'sendStream() to resolve');
    const received = await withTimeout(message, 10_000, 'the streamed message at the server');
    assert.is(received.type, 'binary');
    assert.is((received.data as Buffer).length, 5 * MiB);
    assert.is(sha256(received.data as Buffer), expected.digest('hex'));
  } finally {
    client.terminate();
    await withTimeout(server.close({ timeout: 1000 }), 5000, 'the server to close');
  }
});

test.run();
