/**
 * Attacks on the opening handshake of a server listening by itself: slowloris (a request
 * head trickled a byte at a time: bounded by handshakeTimeout, a total rather than an idle
 * timeout, 408), header floods (many lines, or one huge line: 431 once the limit is passed,
 * without reading the rest). Other clients are served meanwhile.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from '../../src/index.js';
import { RawPeer, upgradeRequest } from '../helpers/raw-peer.js';
import { delay } from '../helpers/timeouts.js';
import { echo, guardLeaks, startServer } from '../rx/helpers.js';

guardLeaks(test);

function portOf(server: { address(): unknown }): number {
  return (server.address() as { port: number }).port;
}

async function echoOnce(url: string): Promise<string> {
  const client = await connect(url);
  try {
    const echoed = new Promise<string>((resolve) => client.once('message', (message) => resolve(String(message.data))));
    client.send('served');
    return await echoed;
  } finally {
    client.terminate();
  }
}

test('slowloris: 20 sockets trickling their request heads at 1 byte/s get 408 after handshakeTimeout; a client is served meanwhile', async () => {
  const TIMEOUT = 1200;
  const server = await startServer(echo, { handshakeTimeout: TIMEOUT });
  const port = portOf(server.server);
  const text = upgradeRequest(port).text;
  const peers = await Promise.all(Array.from({ length: 20 }, () => RawPeer.connect(port)));
  let stop = false;
  const trickle = (async () => {
    for (let i = 0; !stop && i < text.length; i++) {
      for (const peer of peers) if (!peer.serverClosed) peer.socket.write(text[i]!);
      await delay(1000);
    }
  })();
  try {
    const began = Date.now();
    assert.is(await echoOnce(`ws://127.0.0.1:${port}/`), 'served');
    const heads = await Promise.all(peers.map((peer) => peer.readResponseHead(TIMEOUT + 3000)));
    const elapsed = Date.now() - began;
    assert.equal(new Set(heads.map((head) => head.status)), new Set([408]));
    assert.ok(elapsed >= TIMEOUT - 100, `answered after ${elapsed} ms`);
    for (const peer of peers) await peer.expectServerClose(3000).catch(() => {});
    assert.ok(peers.every((peer) => peer.serverClosed), 'every slow socket was closed');
  } finally {
    stop = true;
    for (const peer of peers) peer.destroy();
    await trickle;
    await server.close();
  }
});

test('header floods: 101 header lines → 431; a 20 KiB header line → 431; endless header lines → 431 and closed; a normal client is served', async () => {
  const server = await startServer(echo);
  const port = portOf(server.server);
  const manyLines = upgradeRequest(port, { extraLines: Array.from({ length: 101 }, (_, i) => `X-Flood-${i}: ${i}`) }).text;
  const hugeLine = upgradeRequest(port, { headers: { 'X-Flood': 'a'.repeat(20 * 1024) } }).text;
  const peers: RawPeer[] = [];
  try {
    for (const request of [manyLines, hugeLine]) {
      const peer = await RawPeer.connect(port);
      peers.push(peer);
      await peer.write(request);
      assert.is((await peer.readResponseHead()).status, 431);
    }
    // A peer that keeps sending header lines forever is answered once past the limit, and
    // closed after the short linger that lets it read the answer (REJECT_LINGER_MS).
    const endless = await RawPeer.connect(port);
    peers.push(endless);
    await endless.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const began = Date.now();
    const line = `X-More: ${'b'.repeat(100)}\r\n`.repeat(100);
    while (!endless.serverClosed && Date.now() - began < 5000) await endless.write(line).catch(() => {});
    assert.ok(endless.serverClosed, 'closed');
    assert.is((await endless.readResponseHead()).status, 431);
    assert.is(await echoOnce(`ws://127.0.0.1:${port}/`), 'served');
  } finally {
    for (const peer of peers) peer.destroy();
    await server.close();
  }
});

test.run();
