/**
 * What connect() says when the handshake fails, as a user reads it: a peer that does not
 * speak HTTP, an HTTP error with a body, our own server's verifyClient refusal (over ws://
 * and wss://); and the CloseError a connection ends with. Every error is a WebSocketError.
 */
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CloseError, connect, HandshakeError, WebSocketError, type ServerOptions } from '../../src/index.js';
import { closeOf, nextConnection, startListening } from '../helpers/servers.js';
import { withTimeout } from '../helpers/timeouts.js';
import { testPki } from '../helpers/tls.js';

/** A TCP server that answers every connection with `reply` (after the request arrives, or at once) and closes. */
async function replyingServer(reply: string, waitForRequest: boolean): Promise<{ url: string; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    if (waitForRequest) socket.once('data', () => socket.end(reply));
    else socket.end(reply);
  });
  await withTimeout(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)), 5000, 'a TCP server to listen');
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await withTimeout(new Promise<void>((resolve) => server.close(() => resolve())), 5000, 'the TCP server to close');
    },
  };
}

/** What connect(url) rejects with (failing if it opens). */
async function failure(url: string, options: Parameters<typeof connect>[1] = {}): Promise<HandshakeError> {
  const outcome = await withTimeout(
    connect(url, options).then(
      (connection) => {
        connection.terminate();
        return null;
      },
      (error: unknown) => error,
    ),
    5000,
    `connect(${url}) to settle`,
  );
  assert.ok(outcome !== null, 'the connection opened');
  assert.instance(outcome, HandshakeError);
  assert.instance(outcome, WebSocketError);
  return outcome as HandshakeError;
}

test('a port that does not speak HTTP (an SSH banner) rejects with HandshakeError WS_ERR_HANDSHAKE_NOT_HTTP, not an HPE_ error', async () => {
  for (const waitForRequest of [false, true]) {
    const server = await replyingServer('SSH-2.0-OpenSSH_9.6\r\n', waitForRequest);
    try {
      const error = await failure(server.url);
      assert.is(error.code, 'WS_ERR_HANDSHAKE_NOT_HTTP');
      assert.not.match(error.code, /^HPE_/);
      assert.match(error.message, /HTTP/);
    } finally {
      await server.stop();
    }
  }
});

test('an HTTP 400 with a body "bad token": statusCode, statusMessage and body on the error, the status and body in its message', async () => {
  const body = 'bad token';
  const server = await replyingServer(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`, true);
  try {
    const error = await failure(server.url);
    assert.is(error.code, 'WS_ERR_HANDSHAKE_BAD_STATUS');
    assert.is(error.statusCode, 400);
    assert.is(error.statusMessage, 'Bad Request');
    assert.match(error.body, /bad token/);
    assert.match(error.message, /400/);
    assert.match(error.message, /bad token/);
  } finally {
    await server.stop();
  }
});

/** A server refusing every client with 403 'no token' in verifyClient. */
const REFUSING: ServerOptions = { verifyClient: () => ({ status: 403, reason: 'no token' }) };

for (const secure of [false, true]) {
  test(`our server's verifyClient refusal { status: 403, reason: 'no token' } reaches our client's error${secure ? ' over wss://' : ''}`, async () => {
    const pki = testPki();
    const server = await startListening({ ...REFUSING, ...(secure && { tls: { key: pki.key, cert: pki.cert } }) }, () => {});
    try {
      const error = await failure(server.url, secure ? { ca: pki.ca } : {});
      assert.is(error.statusCode, 403);
      assert.match(error.message, /403/);
      assert.match(error.message, /no token/);
      assert.match(`${error.statusMessage} ${error.body}`, /no token/);
    } finally {
      await server.stop();
    }
  });
}

test("CloseError is a WebSocketError with code WS_ERR_CLOSED and the close's closeCode, reason and wasClean", async () => {
  const server = await startListening({}, () => {});
  const accepted = nextConnection(server.server);
  accepted.catch(() => {}); // awaited below, unless connecting fails first
  const client = await connect(server.url);
  try {
    const serverSide = await accepted;
    const closed = closeOf(client);
    const iteration = (async () => {
      for await (const _message of client) void _message;
    })().then(
      () => null,
      (error: unknown) => error,
    );
    serverSide.close(4001, 'custom end');
    await closed;
    const error = await withTimeout(iteration, 5000, 'iteration to end');
    assert.instance(error, CloseError);
    assert.instance(error, WebSocketError);
    assert.instance(error, Error);
    const { code, closeCode, reason, wasClean } = error as CloseError;
    assert.equal({ code, closeCode, reason, wasClean }, { code: 'WS_ERR_CLOSED', closeCode: 4001, reason: 'custom end', wasClean: true });
    assert.match((error as CloseError).message, /4001/);
  } finally {
    client.terminate();
    await server.stop();
  }
});

test.run();
