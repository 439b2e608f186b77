/**
 * The handshake limits of a server listening by itself with TLS (wss://): its sockets come
 * from tls.createServer's 'secureConnection', and maxConnections, handshakeTimeout,
 * maxHeaderBytes and maxHeaderCount hold there as on ws://.
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, HandshakeError, type ServerOptions } from '../../src/index.js';
import { upgradeRequest } from '../helpers/raw-peer.js';
import { closeOf, startListening, type EchoServer } from '../helpers/servers.js';
import { eventually, withTimeout } from '../helpers/timeouts.js';
import { testPki } from '../helpers/tls.js';

const pki = testPki();

function startSecure(options: ServerOptions): Promise<EchoServer> {
  return startListening({ ...options, tls: { key: pki.key, cert: pki.cert } }, () => {});
}

/** A TLS connection to the server that sends `request` (nothing when undefined); resolves with the status line of the answer and whether the server then closed. */
async function answerTo(port: number, request: string | undefined): Promise<{ statusLine: string; closed: boolean }> {
  const socket: TLSSocket = tlsConnect({ host: '127.0.0.1', port, ca: pki.ca, servername: 'localhost' });
  try {
    return await withTimeout(
      new Promise((resolve, reject) => {
        let received = '';
        socket.once('secureConnect', () => {
          if (request !== undefined) socket.write(request);
        });
        socket.setEncoding('latin1');
        socket.on('data', (chunk: string) => (received += chunk));
        socket.once('error', reject);
        socket.once('close', () => resolve({ statusLine: received.split('\r\n')[0] ?? '', closed: true }));
      }),
      5000,
      'the server to answer and close',
    );
  } finally {
    socket.destroy();
  }
}

test('wss://: past maxConnections the handshake gets 503; the place freed is taken again', async () => {
  const server = await startSecure({ maxConnections: 1 });
  try {
    const first = await connect(server.url, { ca: pki.ca });
    const refused = await connect(server.url, { ca: pki.ca }).then(
      () => null,
      (error: unknown) => error,
    );
    assert.instance(refused, HandshakeError);
    assert.is((refused as HandshakeError).statusCode, 503);
    assert.match((refused as HandshakeError).message, /at capacity/);
    first.close(1000);
    await closeOf(first);
    await eventually(() => server.server.connections.size === 0, 2000, 'the first connection to be gone');
    const again = await connect(server.url, { ca: pki.ca });
    again.close(1000);
    await closeOf(again);
  } finally {
    await server.stop();
  }
});

test('wss://: a TLS connection that sends no request head gets 408 after handshakeTimeout, and is closed', async () => {
  const server = await startSecure({ handshakeTimeout: 300 });
  try {
    const started = Date.now();
    const answer = await answerTo(server.port, undefined);
    assert.match(answer.statusLine, /^HTTP\/1\.1 408 /);
    assert.ok(Date.now() - started >= 250, 'not before the timeout');
    assert.ok(answer.closed);
  } finally {
    await server.stop();
  }
});

test('wss://: a peer that never starts the TLS handshake is cut off after handshakeTimeout (not Node\'s 120 s); tls.handshakeTimeout still wins', async () => {
  for (const [options, bound] of [
    [{ handshakeTimeout: 300 }, 300],
    [{ handshakeTimeout: 60_000, tls: { key: pki.key, cert: pki.cert, handshakeTimeout: 300 } }, 300],
  ] as const) {
    const server = await startListening({ tls: { key: pki.key, cert: pki.cert }, ...options }, () => {});
    const socket = netConnect({ host: '127.0.0.1', port: server.port });
    try {
      const started = Date.now();
      await withTimeout(new Promise((resolve) => socket.once('close', resolve)), 5000, 'the server to cut the silent peer off');
      assert.ok(Date.now() - started >= bound - 50, 'not before the timeout');
    } finally {
      socket.destroy();
      await server.stop();
    }
  }
});

test('wss://: a request head past maxHeaderBytes or maxHeaderCount gets 431, and is closed', async () => {
  const server = await startSecure({ maxHeaderBytes: 1024, maxHeaderCount: 10 });
  try {
    const long = upgradeRequest(server.port, { headers: { 'X-Padding': 'a'.repeat(2048) } }).text;
    assert.match((await answerTo(server.port, long)).statusLine, /^HTTP\/1\.1 431 /);
    const many = upgradeRequest(server.port, { extraLines: Array.from({ length: 12 }, (_, index) => `X-Line-${index}: ${index}`) }).text;
    assert.match((await answerTo(server.port, many)).statusLine, /^HTTP\/1\.1 431 /);
    // Within both limits the same server answers 101.
    const client = await connect(server.url, { ca: pki.ca });
    client.close(1000);
    await closeOf(client);
  } finally {
    await server.stop();
  }
});

test.run();
