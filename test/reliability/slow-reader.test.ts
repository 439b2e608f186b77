/**
 * A peer that never reads: the send buffer bound holds (`maxBufferedAmount`), and the policy
 * applies — a sender that waits for 'drain' keeps the buffer at the high-water mark; one
 * that does not is refused (`'throw'`, the default) or, with `onSendBufferFull: 'close'`,
 * the connection fails with 1008 and its memory goes. Other clients are served meanwhile.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type Connection } from '../../src/index.js';
import { frame, MASK } from '../helpers/frames.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { closeOf, startEcho } from '../helpers/servers.js';
import { eventually } from '../helpers/timeouts.js';
import { guardLeaks, startServer } from '../rx/helpers.js';

guardLeaks(test);

const CHUNK = Buffer.alloc(64 * 1024, 7);

/** Echoes 1,000 messages through `url` one at a time; resolves with the count. */
async function roundTrips(url: string, count = 1000): Promise<number> {
  const client = await connect(url);
  try {
    let done = 0;
    for (let i = 0; i < count; i++) {
      const echoed = new Promise((resolve) => client.once('message', resolve));
      client.send(`n${i}`);
      await echoed;
      done++;
    }
    return done;
  } finally {
    client.terminate();
  }
}

test("a sender that awaits drained() keeps a non-reading peer's buffer at the high-water mark, while another client is served", async () => {
  let slow: Connection | null = null;
  let maxBuffered = 0;
  let sent = 0;
  let stop = false;
  const server = await startServer((connection) => {
    if (slow !== null) {
      connection.on('message', (message) => connection.send(message.data));
      return;
    }
    slow = connection;
    void (async () => {
      while (!stop && connection.readyState === 1) {
        if (!connection.send(CHUNK)) await connection.drained().catch(() => {});
        sent++;
        maxBuffered = Math.max(maxBuffered, connection.bufferedAmount);
      }
    })();
  });
  const port = (server.server.address() as { port: number }).port;
  const peer = await RawPeer.open(port);
  peer.socket.pause();
  try {
    // Once the kernel's buffers are full, the sender waits with a full socket buffer.
    await eventually(() => sent > 4 && slow!.bufferedAmount >= 16 * 1024, 5000, 'the kernel buffers to fill');
    const sentWhenFull = sent;
    assert.is(await roundTrips(`ws://127.0.0.1:${port}/`), 1000);
    assert.ok(maxBuffered <= 16 * 1024 + CHUNK.length, `at most ${maxBuffered} bytes buffered`);
    assert.ok(sent <= sentWhenFull + 1, 'the sender waited');
  } finally {
    stop = true;
    peer.destroy();
    await server.close();
  }
});

test("onSendBufferFull 'close': a sender that does not wait fails the non-reading peer with 1008 at maxBufferedAmount", async () => {
  let slow: Connection | null = null;
  let maxBuffered = 0;
  const server = await startServer(
    (connection) => {
      slow ??= connection;
    },
    { maxBufferedAmount: 1 << 20, onSendBufferFull: 'close' },
  );
  const peer = await RawPeer.open((server.server.address() as { port: number }).port);
  peer.socket.pause();
  try {
    const connection = slow!;
    const closed = closeOf(connection, 5000);
    const timer = setInterval(() => {
      for (let i = 0; i < 16 && connection.readyState === 1; i++) {
        connection.send(CHUNK); // never throws with 'close'
        maxBuffered = Math.max(maxBuffered, connection.bufferedAmount);
      }
    }, 1);
    const { code, reason } = await closed;
    clearInterval(timer);
    assert.is(code, 1008);
    assert.match(reason, /Send buffer full/);
    assert.ok(maxBuffered <= (1 << 20) + CHUNK.length, `at most ${maxBuffered} bytes buffered`);
    assert.is(connection.bufferedAmount, 0, 'its memory went with the socket');
  } finally {
    peer.destroy();
    await server.close();
  }
});

test('the echo server closes a peer that floods without reading (1008) and keeps serving others', async () => {
  const echo = await startEcho({ maxBufferedAmount: 1 << 20 });
  const peer = await RawPeer.open(echo.port);
  peer.socket.pause();
  try {
    const message = frame({ opcode: 0x2, payload: CHUNK, mask: MASK });
    for (let i = 0; i < 256 && !peer.serverClosed; i++) await peer.write(message).catch(() => {});
    await eventually(() => echo.server.connections.size === 0, 5000, 'the flooder to be closed');
    assert.is(await roundTrips(echo.url, 200), 200);
  } finally {
    peer.destroy();
    await echo.stop();
  }
});

test.run();
