/**
 * The rate limit stage: a token bucket on messages/s and bytes/s, right after HeaderParser.
 * 'pause' stops reading until the buckets refill (TCP pushes back on the peer, nothing is
 * lost, order is kept); 'close' fails with 1008. Pings count as messages.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Socket } from 'node:net';
import { connect, createServer, rateLimit, type Connection, type DataMessage } from '../../src/index.js';
import { frame, MASK } from '../helpers/frames.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { closeOf } from '../helpers/servers.js';
import { eventually } from '../helpers/timeouts.js';
import { guardLeaks, startServer } from '../rx/helpers.js';

guardLeaks(test);

function portOf(server: { address(): unknown }): number {
  return (server.address() as { port: number }).port;
}

test("'pause': 40 messages at 40/s with a quarter-second burst arrive in order, no sooner than the rate allows, and the socket paused", async () => {
  const received: string[] = [];
  let socketPaused = false;
  const server = await startServer(
    (connection) => {
      connection.on('message', (message) => {
        received.push((message as DataMessage & { type: 'text' }).data);
        const socket = (connection as unknown as { socket: Socket }).socket;
        socketPaused ||= socket.isPaused();
      });
    },
    { rateLimit: { messagesPerSecond: 40, burst: 0.25 } },
  );
  const client = await connect(`ws://127.0.0.1:${portOf(server.server)}/`);
  try {
    const began = Date.now();
    for (let i = 0; i < 40; i++) client.send(`m${i}`);
    await eventually(() => received.length === 40, 5000, 'all 40 messages');
    const elapsed = Date.now() - began;
    assert.equal(received, Array.from({ length: 40 }, (_, i) => `m${i}`));
    // 10 pass at once (the burst), 30 more at 40/s: at least 750 ms; a lower bound only.
    assert.ok(elapsed >= 600, `took ${elapsed} ms`);
    await eventually(() => socketPaused || received.length === 40, 100, '');
    assert.ok(socketPaused, 'the server socket was paused while the bucket refilled');
  } finally {
    client.terminate();
    await server.close();
  }
});

test("'pause' on bytes: 256 KiB at 512 KiB/s take at least a fifth of a second and arrive whole", async () => {
  const sizes: number[] = [];
  const server = await startServer((connection) => connection.on('message', (message) => sizes.push((message.data as Buffer).length)), {
    rateLimit: { bytesPerSecond: 512 * 1024, burst: 0.125 },
  });
  const client = await connect(`ws://127.0.0.1:${portOf(server.server)}/`);
  try {
    const began = Date.now();
    for (let i = 0; i < 16; i++) client.send(Buffer.alloc(16 * 1024, i));
    await eventually(() => sizes.length === 16, 5000, 'all 16 messages');
    assert.ok(Date.now() - began >= 200, `took ${Date.now() - began} ms`);
    assert.equal(sizes, new Array(16).fill(16 * 1024));
  } finally {
    client.terminate();
    await server.close();
  }
});

test("'close': past the rate the connection fails with 1008", async () => {
  const connections: Connection[] = [];
  const server = await startServer((connection) => connections.push(connection), { rateLimit: { messagesPerSecond: 10, onLimit: 'close' } });
  const peer = await RawPeer.open(portOf(server.server));
  try {
    const closed = closeOf(connections[0]!);
    await peer.write(Buffer.concat(Array.from({ length: 20 }, () => frame({ opcode: 0x1, payload: 'hi', mask: MASK }))));
    let close = await peer.readFrame();
    while (close.opcode !== 0x8) close = await peer.readFrame();
    assert.is(close.payload.readUInt16BE(0), 1008);
    assert.is((await closed).code, 1008);
  } finally {
    peer.destroy();
    await server.close();
  }
});

test("a ping flood counts: 1,000 pings against 100 messages/s with 'close' → 1008 after about 100 pongs (the burst, and what refills meanwhile)", async () => {
  const connections: Connection[] = [];
  const server = await startServer((connection) => connections.push(connection), { rateLimit: { messagesPerSecond: 100, onLimit: 'close' } });
  const peer = await RawPeer.open(portOf(server.server));
  try {
    const closed = closeOf(connections[0]!);
    await peer.write(Buffer.concat(Array.from({ length: 1000 }, () => frame({ opcode: 0x9, mask: MASK }))));
    let pongs = 0;
    for (let next = await peer.readFrame(); next.opcode !== 0x8; next = await peer.readFrame()) pongs++;
    assert.ok(pongs >= 100 && pongs < 200, `${pongs} pongs`);
    assert.is((await closed).code, 1008);
  } finally {
    peer.destroy();
    await server.close();
  }
});

test('users insert it as a stage; a client takes the option too; the options are checked', async () => {
  const received: string[] = [];
  const server = await startServer((connection) => connection.on('message', (message) => received.push(String(message.data))), {
    stages: { decode: [rateLimit({ messagesPerSecond: 1000 })] },
  });
  const client = await connect(`ws://127.0.0.1:${portOf(server.server)}/`, { rateLimit: { bytesPerSecond: 1 << 20 } });
  try {
    client.send('through the stage');
    await eventually(() => received.length === 1, 2000, 'the message');
    assert.equal(received, ['through the stage']);
  } finally {
    client.terminate();
    await server.close();
  }
  assert.throws(() => rateLimit({ messagesPerSecond: 0 }), (error: Error) => error instanceof RangeError && /"rateLimit\.messagesPerSecond"/.test(error.message));
  assert.throws(() => createServer({ noServer: true, rateLimit: { onLimit: 'drop' as 'close' } }), /"rateLimit\.onLimit"/);
});

test.run();
