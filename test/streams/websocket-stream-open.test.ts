/**
 * WebSocketStream, opening: the constructor's argument checks, `opened`, subprotocols,
 * a connection that fails, and the abort signal — the cases of the web-platform tests
 * websockets/stream/tentative/constructor.any.js and abort.any.js, against our server and
 * against `ws`.
 */
import { Agent, createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { ReadableStream, WritableStream } from 'node:stream/web';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CloseError, createServer, HandshakeError, WebSocketError, WebSocketStream, type WebSocketStreamConnectOptions } from '../../src/index.js';
import { delay, eventually, withTimeout } from '../helpers/timeouts.js';
import { readChunks, rejection, throwsDom } from './helpers.js';
import { peerPool } from './peers.js';

const peer = peerPool(test);

test('the constructor checks its arguments at the call (WebIDL, then the URL and subprotocols)', () => {
  // @ts-expect-error: the URL is required
  assert.throws(() => new WebSocketStream(), TypeError);
  throwsDom(() => new WebSocketStream('invalid:'), 'SyntaxError');
  throwsDom(() => new WebSocketStream('ws://127.0.0.1:1/#fragment'), 'SyntaxError');
  // @ts-expect-error: options are a dictionary
  assert.throws(() => new WebSocketStream('ws://127.0.0.1:1/', true), TypeError);
  // A lone string is iterable, but WebIDL does not take it for a sequence.
  assert.throws(() => new WebSocketStream('ws://127.0.0.1:1/', { protocols: 'hi' }), TypeError);
  throwsDom(() => new WebSocketStream('ws://127.0.0.1:1/', { protocols: ['a', 'a'] }), 'SyntaxError');
  throwsDom(() => new WebSocketStream('ws://127.0.0.1:1/', { protocols: ['no spaces'] }), 'SyntaxError');
  assert.throws(() => new WebSocketStream('ws://127.0.0.1:1/', { signal: {} as AbortSignal }), TypeError);
});

test("the third argument takes wspipe's client options, checked at the call like connect()'s", () => {
  assert.throws(
    () => new WebSocketStream('ws://127.0.0.1:1/', {}, { readableHighWaterMark: -1 }),
    (error: Error & { code?: string }) => error instanceof RangeError && error.code === 'ERR_OUT_OF_RANGE' && /readableHighWaterMark/.test(error.message),
  );
  assert.throws(
    // @ts-expect-error: a wrong type
    () => new WebSocketStream('ws://127.0.0.1:1/', {}, { handshakeTimeout: 'soon' }),
    (error: Error & { code?: string }) => error instanceof TypeError && error.code === 'ERR_INVALID_ARG_TYPE' && /handshakeTimeout/.test(error.message),
  );
  assert.throws(() => new WebSocketStream('ws://127.0.0.1:1/', {}, { perMessageDeflate: { serverMaxWindowBits: 99 } }), RangeError);
});

test('the third argument refuses the options the API owns (protocols, signal, streamMessages) and proxy with agent, at the call', () => {
  // streamMessages used to be passed on: connection.stream() then threw outside any promise, and opened never settled.
  const owned: ReadonlyArray<readonly [string, unknown]> = [['protocols', ['chat']], ['signal', new AbortController().signal], ['streamMessages', true]];
  for (const [name, value] of owned) {
    assert.throws(
      () => new WebSocketStream('ws://127.0.0.1:1/', {}, { [name]: value } as WebSocketStreamConnectOptions),
      (error: Error & { code?: string }) => error instanceof TypeError && error.code === 'ERR_INVALID_ARG_VALUE' && error.message.includes(`"${name}"`),
    );
  }
  assert.throws(() => new WebSocketStream('ws://127.0.0.1:1/', {}, { proxy: 'http://127.0.0.1:1', agent: new Agent() }), (error: Error) => error instanceof TypeError && /proxy.*agent/.test(error.message));
});

for (const kind of ['wspipe', 'ws'] as const) {
  test(`${kind}: opened resolves with a ReadableStream, a WritableStream and the agreed protocol and extensions; url is the URL serialised`, async () => {
    const server = await peer(kind);
    const url = server.url('/echo');
    const wss = new WebSocketStream(url.replace('ws:', 'http:'));
    assert.is(wss.url, url);
    const { readable, writable, protocol, extensions } = await withTimeout(wss.opened, 5000, 'opened');
    // Brand checks: these throw unless they are real web streams.
    ReadableStream.prototype.getReader.call(readable).releaseLock();
    WritableStream.prototype.getWriter.call(writable).releaseLock();
    assert.is(protocol, '');
    assert.is(extensions, ''); // offered by default; these peers do not take it
    wss.close();
    assert.equal(await withTimeout(wss.closed, 5000, 'closed'), { closeCode: 1005, reason: '' });
  });

  test(`${kind}: the subprotocol selected is in opened, and the server saw it`, async () => {
    const server = await peer(kind);
    const wss = new WebSocketStream(server.url('/protocol'), { protocols: ['alpha', 'beta'] });
    const { readable, protocol } = await withTimeout(wss.opened, 5000, 'opened');
    assert.is(protocol, 'alpha');
    assert.equal(await readChunks(readable, 1, 5000), ['alpha']);
    wss.close();
    await withTimeout(wss.closed, 5000, 'closed');
  });

  test(`${kind}: aborting the signal after the connection opened does nothing`, async () => {
    const server = await peer(kind);
    const controller = new AbortController();
    const wss = new WebSocketStream(server.url('/echo'), { signal: controller.signal });
    const { readable, writable } = await withTimeout(wss.opened, 5000, 'opened');
    controller.abort();
    await writable.getWriter().write('connected');
    assert.equal(await readChunks(readable, 1, 5000), ['connected']);
    wss.close();
    await withTimeout(wss.closed, 5000, 'closed');
  });
}

test('a handshake the server refuses rejects opened and closed with the HandshakeError (a WebSocketError, closeCode 1006)', async () => {
  const web = createHttpServer((_request, response) => {
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('nothing here');
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  try {
    const wss = new WebSocketStream(`ws://127.0.0.1:${(web.address() as AddressInfo).port}/404`);
    const opened = await rejection(wss.opened, 5000, 'opened');
    const closed = await rejection(wss.closed, 5000, 'closed');
    assert.instance(opened, HandshakeError);
    assert.instance(opened, WebSocketError);
    assert.is((opened as HandshakeError).statusCode, 404);
    assert.is((opened as HandshakeError).closeCode, 1006);
    assert.is(closed, opened);
  } finally {
    web.closeAllConnections();
    await new Promise<void>((resolve) => web.close(() => resolve()));
  }
});

test('a refused TCP connection rejects both with a WebSocketError (1006) whose cause is the socket error', async () => {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const wss = new WebSocketStream(`ws://127.0.0.1:${port}/`);
  const error = (await rejection(wss.opened, 5000, 'opened')) as WebSocketError;
  assert.instance(error, WebSocketError);
  assert.is(error.closeCode, 1006);
  assert.is((error.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
  assert.is(await rejection(wss.closed, 5000, 'closed'), error);
});

test('nobody waiting on a failed WebSocketStream is not an unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const spy = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', spy);
  try {
    new WebSocketStream('ws://127.0.0.1:1/');
    await delay(300);
    assert.equal(unhandled, []);
  } finally {
    process.off('unhandledRejection', spy);
  }
});

test('a server that selects none of the subprotocols offered fails the connection (WHATWG)', async () => {
  const server = createServer({ host: '127.0.0.1', port: 0, handleProtocols: () => false });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  try {
    const wss = new WebSocketStream(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, { protocols: ['alpha'] });
    const error = (await rejection(wss.opened, 5000, 'opened')) as WebSocketError;
    assert.instance(error, WebSocketError);
    assert.match(error.message, /none of the subprotocols/);
    await rejection(wss.closed, 5000, 'closed');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A TCP server that accepts and never answers: a handshake that does not finish. */
async function silentServer(): Promise<{ port: number; sockets: Socket[]; accepted: () => number; stop: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const server = createNetServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    socket.resume(); // reads (and ignores) the request, so that the client's end is seen
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    accepted: () => sockets.length,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test('a signal aborted before the constructor: nothing is connected; opened and closed reject with its reason', async () => {
  const silent = await silentServer();
  try {
    const controller = new AbortController();
    controller.abort();
    const wss = new WebSocketStream(`ws://127.0.0.1:${silent.port}/`, { signal: controller.signal });
    const opened = await rejection(wss.opened, 2000, 'opened');
    assert.instance(opened, DOMException);
    assert.is((opened as DOMException).name, 'AbortError');
    assert.is(await rejection(wss.closed, 2000, 'closed'), opened);
    await delay(100);
    assert.is(silent.accepted(), 0, 'no TCP connection was made');
  } finally {
    await silent.stop();
  }
});

test('aborting during the handshake fails it: the socket is closed, opened and closed reject with the reason', async () => {
  const silent = await silentServer();
  try {
    const controller = new AbortController();
    const wss = new WebSocketStream(`ws://127.0.0.1:${silent.port}/`, { signal: controller.signal });
    await eventually(() => silent.accepted() === 1, 5000, 'the handshake to start');
    const reason = new Error('changed my mind');
    controller.abort(reason);
    assert.is(await rejection(wss.opened, 2000, 'opened'), reason);
    assert.is(await rejection(wss.closed, 2000, 'closed'), reason);
    await eventually(() => silent.sockets[0]!.destroyed || silent.sockets[0]!.readableEnded, 5000, 'the client to drop the socket');
  } finally {
    await silent.stop();
  }
});

test('close() during the handshake fails it: opened and closed reject with a WebSocketError', async () => {
  const silent = await silentServer();
  try {
    const wss = new WebSocketStream(`ws://127.0.0.1:${silent.port}/`);
    wss.close();
    const opened = (await rejection(wss.opened, 2000, 'opened')) as WebSocketError;
    assert.instance(opened, WebSocketError);
    assert.is(opened.closeCode, 1006);
    assert.instance(await rejection(wss.closed, 2000, 'closed'), WebSocketError);
    assert.not.instance(opened, CloseError);
  } finally {
    await silent.stop();
  }
});

test.run();
