/**
 * A server's life as a user drives it: `await server.listen()` gives the address or the
 * listen error (without crashing the process), `await server.close()` settles only once
 * every connection has closed, `close({ timeout })` bounds the wait for a peer that never
 * answers, and calling close twice is one close. Real sockets on 127.0.0.1.
 */
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, createServer, type Connection } from '../../src/index.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { nextConnection } from '../helpers/servers.js';
import { nextEvent, withTimeout } from '../helpers/timeouts.js';

const LOCAL = { host: '127.0.0.1', port: 0 };

/** Our clients connected to a new server; each records when it saw its 'close'. */
async function serverWithClients(count: number): Promise<{ server: ReturnType<typeof createServer>; clients: Connection[]; closedCodes: Array<number | null> }> {
  const server = createServer(LOCAL);
  const { port } = await withTimeout(server.listen(), 5000, 'the server to listen');
  const clients: Connection[] = [];
  const closedCodes: Array<number | null> = [];
  for (let i = 0; i < count; i++) {
    const accepted = nextConnection(server);
    accepted.catch(() => {}); // awaited below, unless connecting fails first
    const client = await connect(`ws://127.0.0.1:${port}/`);
    await accepted;
    closedCodes.push(null);
    client.once('close', (code) => (closedCodes[i] = code));
    clients.push(client);
  }
  return { server, clients, closedCodes };
}

test('await server.close() resolves only after every client saw its close (1001)', async () => {
  const { server, clients, closedCodes } = await serverWithClients(3);
  try {
    let resolved = false;
    const closing = server.close().then(() => {
      // What the clients had seen when the promise resolved.
      resolved = true;
      return [...closedCodes];
    });
    const seen = await withTimeout(closing, 5000, 'server.close()');
    assert.ok(resolved);
    assert.equal(seen, [1001, 1001, 1001]);
    assert.is(server.connections.size, 0);
  } finally {
    for (const client of clients) client.terminate();
  }
});

test('server.close(callback) still works: the callback runs once the connections closed', async () => {
  const { server, clients, closedCodes } = await serverWithClients(2);
  try {
    const seen = await withTimeout(new Promise<Array<number | null>>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve([...closedCodes])))), 5000, 'the close callback');
    assert.equal(seen, [1001, 1001]);
  } finally {
    for (const client of clients) client.terminate();
  }
});

test('server.close({ timeout: 200 }) with a peer that never answers the close frame resolves in about the timeout and destroys its socket', async () => {
  const server = createServer(LOCAL); // closeTimeout is its 30 s default
  const { port } = await withTimeout(server.listen(), 5000, 'the server to listen');
  const accepted = nextConnection(server);
  accepted.catch(() => {}); // awaited below, unless connecting fails first
  const peer = await RawPeer.open(port);
  try {
    await accepted;
    const started = Date.now();
    await withTimeout(server.close({ timeout: 200 }), 5000, 'server.close({ timeout: 200 })');
    assert.ok(Date.now() - started < 5000);
    const close = await peer.readClose();
    assert.is(close.code, 1001);
    await peer.expectServerClose();
    assert.is(server.connections.size, 0);
  } finally {
    peer.destroy();
  }
});

test('calling close twice returns the same promise', async () => {
  const server = createServer(LOCAL);
  await withTimeout(server.listen(), 5000, 'the server to listen');
  const first = server.close();
  const second = server.close({ timeout: 100 });
  assert.is(second, first);
  await withTimeout(first, 5000, 'server.close()');
});

test('await server.listen() resolves with the address it listens on', async () => {
  const server = createServer(LOCAL);
  try {
    const address = await withTimeout(server.listen(), 5000, 'the server to listen');
    assert.is(address.address, '127.0.0.1');
    assert.ok(address.port > 0);
    assert.equal(address, server.address());
    // Once listening, it resolves at once with the same address.
    assert.equal(await withTimeout(server.listen(), 1000, 'listen() again'), address);
  } finally {
    await withTimeout(server.close(), 5000, 'the server to close');
  }
});

/** A port something else listens on. */
async function busyPort(): Promise<{ port: number; blocker: NetServer }> {
  const blocker = createNetServer();
  await withTimeout(new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve)), 5000, 'a TCP server to listen');
  return { port: (blocker.address() as AddressInfo).port, blocker };
}

test('a port in use: listen() rejects with EADDRINUSE, and with no error listener the process does not crash', async () => {
  const { port, blocker } = await busyPort();
  try {
    const server = createServer({ host: '127.0.0.1', port });
    assert.is(server.listenerCount('error'), 0);
    const error = await withTimeout(
      server.listen().then(
        () => null,
        (caught: unknown) => caught,
      ),
      5000,
      'listen() to reject',
    );
    assert.is((error as { code?: string } | null)?.code, 'EADDRINUSE');
    // Had the error been emitted with no listener, the process would have thrown by now.
    await new Promise((resolve) => setImmediate(resolve));
    await withTimeout(server.close(), 5000, 'the server to close');
  } finally {
    blocker.close();
  }
});

test('listen() after the listen already failed rejects with that error (it does not wait forever)', async () => {
  const { port, blocker } = await busyPort();
  try {
    const server = createServer({ host: '127.0.0.1', port });
    const [emitted] = await nextEvent<[Error]>(server, 'error', 5000, "the server's listen error");
    const error = await withTimeout(
      server.listen().then(
        () => null,
        (caught: unknown) => caught,
      ),
      1000,
      'listen() after the failure',
    );
    assert.is(error, emitted);
    await withTimeout(server.close(), 5000, 'the server to close');
  } finally {
    blocker.close();
  }
});

test('a noServer server: listen() rejects with a TypeError', async () => {
  const server = createServer({ noServer: true });
  const error = await server.listen().then(
    () => null,
    (caught: unknown) => caught,
  );
  assert.instance(error, TypeError);
  await withTimeout(server.close(), 5000, 'the server to close');
});

test.run();
