/**
 * Limits of the README's "Limits" table that no other test reaches with a value of their
 * own: maxHeaderBytes and maxHeaderCount set below their defaults (431, and 101 just
 * under), ERROR_GRACE_MS (a peer that never answers the close after a protocol error is
 * cut off after it, not after closeTimeout), the 1 KiB of an error response's body a
 * client keeps, and setZlibConcurrency.
 */
import { once } from 'node:events';
import { createConnection, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_ERROR_BODY_BYTES } from '../../src/client/error-body.js';
import { connect, DEFAULT_ZLIB_CONCURRENCY, ERROR_GRACE_MS, HandshakeError, setZlibConcurrency, sharedZlibLimiter } from '../../src/index.js';
import { frame } from '../helpers/frames.js';
import { RawPeer, upgradeRequest } from '../helpers/raw-peer.js';
import { eventually, withTimeout } from '../helpers/timeouts.js';
import { echo, guardLeaks, startServer } from '../rx/helpers.js';

guardLeaks(test);

function portOf(server: { address(): unknown }): number {
  return (server.address() as AddressInfo).port;
}

/** The status a fresh socket gets for `request`. */
async function statusFor(port: number, request: string): Promise<number> {
  const peer = await RawPeer.connect(port);
  try {
    await peer.write(request);
    return (await peer.readResponseHead()).status;
  } finally {
    peer.destroy();
  }
}

test('maxHeaderBytes: 1024 → a 1,100-byte header line gets 431, a 600-byte one 101', async () => {
  const server = await startServer(echo, { maxHeaderBytes: 1024 });
  const port = portOf(server.server);
  try {
    assert.is(await statusFor(port, upgradeRequest(port, { headers: { 'X-Pad': 'a'.repeat(1100) } }).text), 431);
    assert.is(await statusFor(port, upgradeRequest(port, { headers: { 'X-Pad': 'a'.repeat(600) } }).text), 101);
  } finally {
    await server.close();
  }
});

test('maxHeaderCount: 7 → the 5 headers of an upgrade + 3 get 431, + 2 get 101', async () => {
  const server = await startServer(echo, { maxHeaderCount: 7 });
  const port = portOf(server.server);
  const withExtra = (n: number): string => upgradeRequest(port, { extraLines: Array.from({ length: n }, (_, i) => `X-Extra-${i}: ${i}`) }).text;
  try {
    assert.is(await statusFor(port, withExtra(3)), 431);
    assert.is(await statusFor(port, withExtra(2)), 101);
  } finally {
    await server.close();
  }
});

test('ERROR_GRACE_MS: after a protocol error, a peer that keeps its side open is cut off after the grace, not after closeTimeout', async () => {
  const closeTimeout = 10_000;
  const server = await startServer(undefined, { closeTimeout });
  const port = portOf(server.server);
  // allowHalfOpen: the server's FIN alone does not end this side, so only the grace can.
  const socket: Socket = createConnection({ host: '127.0.0.1', port, allowHalfOpen: true });
  try {
    await once(socket, 'connect');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.write(upgradeRequest(port).text);
    await withTimeout(new Promise<void>((resolve) => socket.on('data', () => Buffer.concat(received).includes('\r\n\r\n') && resolve())), 3000, 'the 101');
    await eventually(() => server.accepted.length === 1, 3000, 'the connection');
    const connection = server.accepted[0]!;
    connection.on('error', () => {}); // the 1002 is expected (events.once would reject on it)
    const closed = new Promise<number>((resolve) => connection.once('close', (code) => resolve(code)));
    const began = Date.now();
    socket.write(frame({ opcode: 0x1, payload: 'unmasked' })); // a client frame must be masked: 1002
    const code = await withTimeout(closed, closeTimeout / 2, "the server connection's close");
    const elapsed = Date.now() - began;
    assert.is(code, 1002);
    const reply = Buffer.concat(received);
    assert.equal([...reply.subarray(reply.indexOf('\r\n\r\n') + 4).subarray(0, 4)], [0x88, 0x02, 0x03, 0xea], 'close 1002 sent');
    assert.ok(elapsed >= ERROR_GRACE_MS - 100 && elapsed < ERROR_GRACE_MS + 1500, `destroyed after ${elapsed} ms`);
  } finally {
    socket.destroy();
    await server.close();
  }
});

test('an error response body of 64 KiB: the HandshakeError keeps its first MAX_ERROR_BODY_BYTES (1 KiB)', async () => {
  const body = 'x'.repeat(MAX_ERROR_BODY_BYTES) + 'y'.repeat(64 * 1024 - MAX_ERROR_BODY_BYTES);
  const server = createNetServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const error = await connect(`ws://127.0.0.1:${portOf(server)}/`).then(
      () => assert.unreachable('connected'),
      (error: unknown) => error,
    );
    assert.instance(error, HandshakeError);
    assert.is((error as HandshakeError).statusCode, 400);
    assert.is((error as HandshakeError).body, 'x'.repeat(MAX_ERROR_BODY_BYTES));
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('setZlibConcurrency: 8 by default, changes the shared limiter, refuses less than 1', () => {
  assert.is(DEFAULT_ZLIB_CONCURRENCY, 8);
  assert.is(sharedZlibLimiter.concurrency, DEFAULT_ZLIB_CONCURRENCY);
  try {
    setZlibConcurrency(2);
    assert.is(sharedZlibLimiter.concurrency, 2);
    assert.throws(() => setZlibConcurrency(0), (error: unknown) => error instanceof RangeError);
    assert.is(sharedZlibLimiter.concurrency, 2);
  } finally {
    setZlibConcurrency(DEFAULT_ZLIB_CONCURRENCY);
  }
});

test.run();
