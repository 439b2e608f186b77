import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  buildAcceptResponse,
  HandshakeError,
  readUpgradeRequest,
  rejectSocket,
  validateUpgradeRequest,
  type ReadUpgradeRequestOptions,
  type UpgradeRequestHead,
} from '../../src/handshake/index.js';

const REQUEST =
  'GET /chat HTTP/1.1\r\n' +
  'Host: 127.0.0.1\r\n' +
  'Upgrade: websocket\r\n' +
  'Connection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
  'Sec-WebSocket-Version: 13\r\n' +
  '\r\n';

interface Pair {
  server: Server;
  client: Socket;
  serverSocket: Socket;
  close(): Promise<void>;
}

/** A connected TCP pair on 127.0.0.1. */
async function connect(): Promise<Pair> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = createConnection(port, '127.0.0.1');
  client.on('error', () => {});
  const [serverSocket] = await accepted;
  return {
    server,
    client,
    serverSocket,
    async close() {
      client.destroy();
      serverSocket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readResponse(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('close', () => resolve(text));
  });
}

async function rejected(promise: Promise<UpgradeRequestHead>): Promise<HandshakeError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, HandshakeError);
    return error as HandshakeError;
  }
  assert.unreachable('resolved');
  throw new Error('unreachable');
}

const LISTENER_EVENTS = ['data', 'end', 'close', 'error', 'readable'] as const;

function listenerCounts(socket: Socket): number[] {
  return LISTENER_EVENTS.map((name) => socket.listenerCount(name));
}

test('reads a request, returns head bytes, leaves no listeners and a paused socket', async () => {
  const pair = await connect();
  try {
    const before = listenerCounts(pair.serverSocket);
    const reading = readUpgradeRequest(pair.serverSocket);
    pair.client.write(REQUEST + 'FIRST');
    const request = await reading;
    assert.is(request.method, 'GET');
    assert.is(request.url, '/chat');
    assert.is(request.httpVersion, '1.1');
    assert.is(request.head.toString(), 'FIRST');
    assert.ok(validateUpgradeRequest(request));
    assert.equal(listenerCounts(pair.serverSocket), before);
    assert.ok(pair.serverSocket.isPaused());

    // Later bytes stay in the socket for the next owner.
    pair.client.write('SECOND');
    await new Promise((resolve) => setTimeout(resolve, 30));
    pair.serverSocket.resume();
    const [chunk] = (await once(pair.serverSocket, 'data')) as [Buffer];
    assert.is(chunk.toString(), 'SECOND');
  } finally {
    await pair.close();
  }
});

test('a request arriving one byte at a time', async () => {
  const pair = await connect();
  try {
    pair.client.setNoDelay(true);
    const reading = readUpgradeRequest(pair.serverSocket);
    const bytes = Buffer.from(REQUEST + 'X');
    for (let i = 0; i < bytes.length; i++) {
      pair.client.write(bytes.subarray(i, i + 1));
      if (i % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const request = await reading;
    assert.is(request.headers['sec-websocket-key'], 'dGhlIHNhbXBsZSBub25jZQ==');
    // The "X" may arrive with the head or stay buffered in the paused socket.
    let rest = request.head.toString();
    if (rest === '') {
      pair.serverSocket.resume();
      rest = ((await once(pair.serverSocket, 'data')) as [Buffer])[0].toString();
    }
    assert.is(rest, 'X');
  } finally {
    await pair.close();
  }
});

test('timeout → 408, listeners removed', async () => {
  const pair = await connect();
  try {
    const before = listenerCounts(pair.serverSocket);
    const start = Date.now();
    const reading = readUpgradeRequest(pair.serverSocket, { timeout: 50 });
    pair.client.write('GET / HTTP/1.1\r\n'); // and then nothing
    const error = await rejected(reading);
    assert.is(error.statusCode, 408);
    assert.is(error.code, 'WS_ERR_HANDSHAKE_TIMEOUT');
    assert.ok(Date.now() - start < 1000);
    assert.equal(listenerCounts(pair.serverSocket), before);
  } finally {
    await pair.close();
  }
});

test('64 KiB of headers → 431', async () => {
  const pair = await connect();
  try {
    const reading = readUpgradeRequest(pair.serverSocket);
    pair.client.write(`GET / HTTP/1.1\r\nHost: h\r\n${`X-Fill: ${'a'.repeat(1000)}\r\n`.repeat(64)}\r\n`);
    const error = await rejected(reading);
    assert.is(error.statusCode, 431);
  } finally {
    await pair.close();
  }
});

test('limits are configurable', async () => {
  const pair = await connect();
  try {
    const options: ReadUpgradeRequestOptions = { maxHeaderCount: 3 };
    const reading = readUpgradeRequest(pair.serverSocket, options);
    pair.client.write(REQUEST);
    const error = await rejected(reading);
    assert.is(error.code, 'WS_ERR_HANDSHAKE_TOO_MANY_HEADERS');
  } finally {
    await pair.close();
  }
});

test('the client closing early rejects with SOCKET_CLOSED', async () => {
  const pair = await connect();
  try {
    const before = listenerCounts(pair.serverSocket);
    const reading = readUpgradeRequest(pair.serverSocket);
    pair.client.end('GET / HTTP/1.1\r\n');
    const error = await rejected(reading);
    assert.is(error.code, 'WS_ERR_HANDSHAKE_SOCKET_CLOSED');
    assert.equal(listenerCounts(pair.serverSocket), before);
  } finally {
    await pair.close();
  }
});

test('a destroyed socket rejects at once', async () => {
  const pair = await connect();
  try {
    pair.serverSocket.destroy();
    const error = await rejected(readUpgradeRequest(pair.serverSocket));
    assert.is(error.code, 'WS_ERR_HANDSHAKE_SOCKET_CLOSED');
  } finally {
    await pair.close();
  }
});

test('rejectSocket writes the error response with its headers and closes', async () => {
  const pair = await connect();
  try {
    const response = readResponse(pair.client);
    const reading = readUpgradeRequest(pair.serverSocket);
    pair.client.write(REQUEST.replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 8'));
    let error: unknown;
    try {
      validateUpgradeRequest(await reading);
    } catch (e) {
      error = e;
    }
    rejectSocket(pair.serverSocket, error);
    const text = await response;
    assert.ok(text.startsWith('HTTP/1.1 426 Upgrade Required\r\n'), text);
    assert.match(text, '\r\nConnection: close\r\n');
    assert.match(text, '\r\nSec-WebSocket-Version: 13\r\n');
    await once(pair.serverSocket, 'close');
    assert.ok(pair.serverSocket.destroyed);
  } finally {
    await pair.close();
  }
});

test('rejectSocket: a plain Error becomes a 500 without its message', async () => {
  const pair = await connect();
  try {
    const response = readResponse(pair.client);
    rejectSocket(pair.serverSocket, new Error('secret detail'));
    const text = await response;
    assert.ok(text.startsWith('HTTP/1.1 500 Internal Server Error\r\n'), text);
    assert.not.match(text, 'secret');
  } finally {
    await pair.close();
  }
});

test('rejectSocket never throws on a dead socket', async () => {
  const pair = await connect();
  try {
    pair.serverSocket.destroy();
    rejectSocket(pair.serverSocket, new HandshakeError(400, 'WS_ERR_HANDSHAKE_BAD_KEY', 'x'));
    const ended = await connect();
    ended.serverSocket.end();
    rejectSocket(ended.serverSocket, new HandshakeError(400, 'WS_ERR_HANDSHAKE_BAD_KEY', 'x'));
    rejectSocket(ended.serverSocket, 'not even an error');
    await ended.close();
  } finally {
    await pair.close();
  }
});

test('after a successful read, the socket can complete a handshake', async () => {
  const pair = await connect();
  try {
    const reading = readUpgradeRequest(pair.serverSocket);
    pair.client.write(REQUEST);
    const info = validateUpgradeRequest(await reading);
    const response = once(pair.client, 'data') as Promise<[Buffer]>;
    pair.serverSocket.write(buildAcceptResponse({ key: info.key }));
    const [chunk] = await response;
    assert.match(chunk.toString(), 'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n');
  } finally {
    await pair.close();
  }
});

test.run();
