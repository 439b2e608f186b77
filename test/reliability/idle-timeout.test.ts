/**
 * The idle timeout: a peer that sends nothing — no message, no control frame, and less than
 * IDLE_PROGRESS_BYTES of a frame — for `idleTimeout` ms is closed with 1001; halfway through
 * it is pinged, so a live peer's pong keeps it. A frame trickled byte by byte (slowloris
 * after the handshake) does not count as life.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, createServer, DEFAULT_SERVER_IDLE_TIMEOUT_MS, type Connection } from '../../src/index.js';
import { frame, MASK } from '../helpers/frames.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { closeOf } from '../helpers/servers.js';
import { delay } from '../helpers/timeouts.js';
import { guardLeaks, startServer } from '../rx/helpers.js';

guardLeaks(test);

const TIMEOUT = 300;

function portOf(server: { address(): unknown }): number {
  return (server.address() as { port: number }).port;
}

test('a silent peer is pinged halfway, then closed with 1001 after the timeout; the connection reports 1001', async () => {
  const connections: Connection[] = [];
  const server = await startServer((connection) => connections.push(connection), { idleTimeout: TIMEOUT });
  const peer = await RawPeer.open(portOf(server.server));
  try {
    const began = Date.now();
    const ping = await peer.readFrame(TIMEOUT * 3);
    assert.is(ping.opcode, 0x9, 'a ping first');
    const pingedAfter = Date.now() - began;
    const closed = closeOf(connections[0]!);
    const close = await peer.readClose(TIMEOUT * 3);
    const closedAfter = Date.now() - began;
    assert.is(close.code, 1001);
    assert.match(close.reason, /^$/);
    assert.ok(pingedAfter >= TIMEOUT / 2 - 20, `pinged after ${pingedAfter} ms`);
    assert.ok(closedAfter >= TIMEOUT - 20, `closed after ${closedAfter} ms, not before the timeout`);
    await peer.expectServerClose(3000);
    const { code, reason, wasClean } = await closed;
    assert.is(code, 1001);
    assert.match(reason, /Idle timeout/);
    assert.is(wasClean, false);
  } finally {
    peer.destroy();
    await server.close();
  }
});

test('a peer that answers the halfway ping stays open past several timeouts', async () => {
  const server = await startServer(undefined, { idleTimeout: TIMEOUT });
  const client = await connect(`ws://127.0.0.1:${portOf(server.server)}/`); // autoPong answers
  let pings = 0;
  client.on('ping', () => pings++);
  try {
    await delay(TIMEOUT * 3);
    assert.is(client.readyState, 1, 'still open');
    assert.ok(pings >= 2, `pinged ${pings} times`);
  } finally {
    client.terminate();
    await server.close();
  }
});

test('messages keep a connection alive: one every third of the timeout', async () => {
  const server = await startServer(undefined, { idleTimeout: TIMEOUT, autoPong: true });
  const client = await connect(`ws://127.0.0.1:${portOf(server.server)}/`, { autoPong: false });
  try {
    for (let i = 0; i < 9; i++) {
      client.send(`tick ${i}`);
      await delay(TIMEOUT / 3);
    }
    assert.is(client.readyState, 1, 'still open after 3 timeouts without pongs');
  } finally {
    client.terminate();
    await server.close();
  }
});

test('a frame trickled a byte at a time is not life: closed with 1001 though bytes keep coming', async () => {
  const connections: Connection[] = [];
  const server = await startServer((connection) => connections.push(connection), { idleTimeout: TIMEOUT });
  const peer = await RawPeer.open(portOf(server.server));
  const bytes = frame({ opcode: 0x1, payload: 'x'.repeat(120), mask: MASK });
  try {
    const closed = closeOf(connections[0]!, 5000);
    let sent = 0;
    while (!peer.serverClosed && sent < bytes.length) {
      peer.socket.write(bytes.subarray(sent, sent + 1));
      sent++;
      await delay(20);
    }
    const { code } = await closed;
    assert.is(code, 1001);
    assert.ok(sent < bytes.length, `closed after ${sent} of ${bytes.length} bytes`);
  } finally {
    peer.destroy();
    await server.close();
  }
});

test('defaults: 2 minutes on a server, off on a client; 0 turns it off; checked as ms', async () => {
  assert.is(DEFAULT_SERVER_IDLE_TIMEOUT_MS, 120_000);
  assert.throws(() => createServer({ noServer: true, idleTimeout: -1 }), (error: Error) => error instanceof RangeError && /"idleTimeout"/.test(error.message));
  assert.throws(() => connect('ws://127.0.0.1:9/', { idleTimeout: 1.5 }), /"idleTimeout"/);
  const server = await startServer(undefined, { idleTimeout: 0 });
  const peer = await RawPeer.open(portOf(server.server));
  try {
    await delay(100);
    assert.is(peer.unread, 0, 'no ping');
    assert.is(peer.serverClosed, false);
  } finally {
    peer.destroy();
    await server.close();
  }
});

test.run();
