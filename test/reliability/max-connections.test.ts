/**
 * `maxConnections`: past it an upgrade is answered 503 once its request head is read, before
 * anything is allocated for it — on a server listening itself and on one attached to an
 * http server (before the 101). Handshakes in progress (waiting for verifyClient) count.
 */
import { createServer as createHttpServer } from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket as WsClient } from 'ws';
import { createServer, DEFAULT_MAX_CONNECTIONS } from '../../src/index.js';
import { RawPeer, upgradeRequest } from '../helpers/raw-peer.js';
import { listenWebServer, stopWebServer } from '../helpers/servers.js';
import { eventually } from '../helpers/timeouts.js';
import { guardLeaks, startServer } from '../rx/helpers.js';

guardLeaks(test);

/** Sends an upgrade request on a fresh socket and returns the response status. */
async function statusOf(port: number): Promise<{ status: number; peer: RawPeer }> {
  const peer = await RawPeer.connect(port);
  await peer.write(upgradeRequest(port).text);
  const head = await peer.readResponseHead();
  return { status: head.status, peer };
}

test('past maxConnections the handshake gets 503; a place freed is taken again', async () => {
  const server = await startServer(undefined, { maxConnections: 2 });
  const { port } = server.server.address() as { port: number };
  const peers: RawPeer[] = [];
  try {
    peers.push(await RawPeer.open(port), await RawPeer.open(port));
    const refused = await statusOf(port);
    peers.push(refused.peer);
    assert.is(refused.status, 503);
    assert.match((await refused.peer.readBytes(refused.peer.unread)).toString(), /at capacity/);
    await refused.peer.expectServerClose();
    assert.is(server.server.connections.size, 2);
    peers[0]!.destroy();
    await eventually(() => server.server.connections.size === 1, 2000, 'the first connection to close');
    peers.push(await RawPeer.open(port));
    assert.is(server.server.connections.size, 2);
  } finally {
    for (const peer of peers) peer.destroy();
    await server.close();
  }
});

test('handshakes waiting for verifyClient count: concurrent upgrades past the limit get 503', async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const server = await startServer(undefined, { maxConnections: 3, verifyClient: () => gate.then(() => true) });
  const { port } = server.server.address() as { port: number };
  const peers: RawPeer[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const peer = await RawPeer.connect(port);
      peers.push(peer);
      await peer.write(upgradeRequest(port).text);
    }
    // Two of the five are refused at once, while three wait for verifyClient.
    await eventually(() => peers.filter((peer) => peer.serverClosed).length === 2, 3000, 'two refusals');
    release();
    const statuses = await Promise.all(peers.map((peer) => peer.readResponseHead().then((head) => head.status, () => 0)));
    assert.equal([...statuses].sort(), [101, 101, 101, 503, 503]);
    assert.is(server.server.connections.size, 3);
  } finally {
    for (const peer of peers) peer.destroy();
    await server.close();
  }
});

test('attached to an http server: 503 before any 101, from a ws client; the http server keeps answering', async () => {
  const web = createHttpServer((_, response) => response.end('page'));
  const server = createServer({ server: web, maxConnections: 1 });
  const port = await listenWebServer(web);
  const first = new WsClient(`ws://127.0.0.1:${port}/`);
  try {
    await new Promise((resolve, reject) => first.once('open', resolve).once('error', reject));
    const second = new WsClient(`ws://127.0.0.1:${port}/`);
    const status = await new Promise<number>((resolve, reject) => {
      second.once('unexpected-response', (_, response) => resolve(response.statusCode ?? 0));
      second.once('open', () => reject(new Error('the second client was accepted')));
      second.once('error', () => {});
    });
    second.terminate();
    assert.is(status, 503);
    const page = await fetch(`http://127.0.0.1:${port}/`).then((response) => response.text());
    assert.is(page, 'page');
  } finally {
    first.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await stopWebServer(web);
  }
});

test('maxConnections is checked: an integer >= 0 (or Infinity); the default is 50,000', () => {
  assert.is(DEFAULT_MAX_CONNECTIONS, 50_000);
  assert.throws(() => createServer({ noServer: true, maxConnections: -1 }), (error: Error) => error instanceof RangeError && /"maxConnections"/.test(error.message));
  assert.throws(() => createServer({ noServer: true, maxConnections: '5' as unknown as number }), (error: Error) => error instanceof TypeError && /"maxConnections"/.test(error.message));
  createServer({ noServer: true, maxConnections: Infinity }).close();
});

test.run();
