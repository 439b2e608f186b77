/**
 * Peers that vanish: one reset in the middle of a frame, one that goes silent without a FIN
 * (half-open: it never answers a ping). Each is reported as 1006 and leaves nothing behind:
 * no socket, timer or reservation (guardLeaks counts the process's handles after each test).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Socket } from 'node:net';
import { connect, type Connection } from '../../src/index.js';
import { frame, MASK } from '../helpers/frames.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { closeOf } from '../helpers/servers.js';
import { eventually } from '../helpers/timeouts.js';
import { startRawServer } from '../websocket/raw-server.js';
import { guardLeaks, startServer } from '../rx/helpers.js';

guardLeaks(test);

function portOf(server: { address(): unknown }): number {
  return (server.address() as { port: number }).port;
}

/** Whether the connection's socket is gone. */
function socketDestroyed(connection: Connection): boolean {
  return (connection as unknown as { socket: Socket }).socket.destroyed;
}

test('a peer reset in the middle of a frame of a fragmented message: 1006, the message memory given back, nothing left', async () => {
  const connections: Connection[] = [];
  const server = await startServer((connection) => connections.push(connection));
  const peer = await RawPeer.open(portOf(server.server));
  try {
    const closed = closeOf(connections[0]!);
    await peer.write(frame({ opcode: 0x2, fin: false, payload: Buffer.alloc(40_000, 1), mask: MASK }));
    const next = frame({ opcode: 0x0, fin: true, payload: Buffer.alloc(40_000, 2), mask: MASK });
    await peer.write(next.subarray(0, 20_000)); // half of the second frame
    await eventually(() => connections[0]!.counters.bytesIn >= 60_000, 2000, 'the bytes to arrive');
    assert.ok(server.server.messageMemory.reserved > 0, 'the unfinished message holds memory');
    peer.socket.resetAndDestroy();
    const { code, wasClean } = await closed;
    assert.is(code, 1006);
    assert.is(wasClean, false);
    assert.is(connections[0]!.closeInfo?.remote, null);
    assert.is(server.server.messageMemory.reserved, 0, 'given back');
    assert.ok(socketDestroyed(connections[0]!));
    assert.is(server.server.connections.size, 0);
  } finally {
    peer.destroy();
    await server.close();
  }
});

test('a half-open peer (never answers pings, sends no FIN) is found by the heartbeat within interval + timeout: 1006', async () => {
  const INTERVAL = 150;
  const TIMEOUT = 150;
  const connections: Connection[] = [];
  const server = await startServer((connection) => connections.push(connection), { heartbeat: { interval: INTERVAL, timeout: TIMEOUT }, idleTimeout: 0 });
  const peer = await RawPeer.open(portOf(server.server));
  try {
    peer.socket.pause(); // reads nothing, answers nothing: a machine that went away
    const began = Date.now();
    const { code, reason, wasClean } = await closeOf(connections[0]!, 5000);
    const elapsed = Date.now() - began;
    assert.is(code, 1006);
    assert.match(reason, /heartbeat/);
    assert.is(wasClean, false);
    assert.ok(elapsed >= TIMEOUT, `found after ${elapsed} ms`);
    assert.ok(elapsed < INTERVAL + TIMEOUT + 1000, `found after ${elapsed} ms, within interval + timeout (and slack)`);
    assert.is(server.server.connections.size, 0);
  } finally {
    peer.destroy();
    await server.close();
  }
});

test('the client side too: a server that goes silent is found by the heartbeat (1006); its socket and timers are gone', async () => {
  const raw = await startRawServer(async (peer) => {
    peer.socket.pause(); // never reads the client's pings
    await new Promise((resolve) => peer.socket.once('close', resolve));
  });
  const client = await connect(raw.url, { heartbeat: { interval: 100, timeout: 100 } });
  try {
    const { code, reason } = await closeOf(client, 5000);
    assert.is(code, 1006);
    assert.match(reason, /heartbeat/);
    assert.ok(socketDestroyed(client));
  } finally {
    client.terminate();
    await raw.stop();
  }
});

test.run();
