/**
 * The memory of unfinished messages is bounded across the whole server, not only per
 * connection: connections reserve what they hold from one budget (`maxMessageMemory`), and
 * the one whose reservation does not fit is failed with 1013. Worst case with the defaults:
 * N connections hold at most 512 MiB of unfinished messages together (plus, each, the read
 * in progress: at most 64 KiB), instead of N × maxPayload (N × 100 MiB).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_MAX_MESSAGE_MEMORY, MemoryBudget, type Connection } from '../../src/index.js';
import { frame, MASK } from '../helpers/frames.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { closeOf } from '../helpers/servers.js';
import { eventually } from '../helpers/timeouts.js';
import { guardLeaks, startServer } from '../rx/helpers.js';

guardLeaks(test);

const KiB = 1024;

function fragment(first: boolean, fin: boolean, payload: Buffer): Buffer {
  return frame({ opcode: first ? 0x2 : 0x0, fin, payload, mask: MASK });
}

test('connections share the budget: the one that does not fit gets 1013, the others finish, and everything is given back', async () => {
  const LIMIT = 256 * KiB;
  const connections: Connection[] = [];
  const received: number[] = [];
  const server = await startServer(
    (connection) => {
      connections.push(connection);
      connection.on('message', (message) => received.push((message.data as Buffer).length));
    },
    { maxMessageMemory: LIMIT, maxPayload: 1 << 20 },
  );
  const port = (server.server.address() as { port: number }).port;
  const peers = [await RawPeer.open(port), await RawPeer.open(port), await RawPeer.open(port)];
  let maxReserved = 0;
  const sampler = setInterval(() => (maxReserved = Math.max(maxReserved, server.server.messageMemory.reserved)), 1);
  try {
    const closes = connections.map((connection) => closeOf(connection, 5000));
    // Each peer sends 100 KiB of a message in four fragments and stops before its end.
    for (const peer of peers) {
      for (let i = 0; i < 4; i++) {
        await peer.write(fragment(i === 0, false, Buffer.alloc(25 * KiB, i)));
        await eventually(() => server.server.messageMemory.reserved > 0 || peer.serverClosed, 1000, 'the fragment to arrive');
      }
    }
    const failed = await Promise.race(closes.map((closed, index) => closed.then(({ code }) => ({ code, index }))));
    assert.is(failed.code, 1013, 'try again later');
    assert.ok(server.server.messageMemory.reserved <= LIMIT);
    // The two others finish their messages, which are whole.
    for (const [index, peer] of peers.entries()) if (index !== failed.index) await peer.write(fragment(false, true, Buffer.alloc(10)));
    await eventually(() => received.length === 2, 2000, 'two messages');
    assert.equal(received, [100 * KiB + 10, 100 * KiB + 10]);
    await eventually(() => server.server.messageMemory.reserved === 0, 2000, 'every reservation given back');
    assert.ok(maxReserved <= LIMIT, `at most ${maxReserved} bytes reserved (limit ${LIMIT})`);
  } finally {
    clearInterval(sampler);
    for (const peer of peers) peer.destroy();
    await server.close();
  }
});

test('20 connections each sending a 1 MiB message in 16 KiB fragments, against a 2 MiB budget: never more than 2 MiB held', async () => {
  const LIMIT = 2 << 20;
  const connections: Connection[] = [];
  let whole = 0;
  const server = await startServer(
    (connection) => {
      connections.push(connection);
      connection.on('message', (message) => {
        if ((message.data as Buffer).length === 1 << 20) whole++;
      });
    },
    { maxMessageMemory: LIMIT, maxPayload: 1 << 20 },
  );
  const port = (server.server.address() as { port: number }).port;
  const peers = await Promise.all(Array.from({ length: 20 }, () => RawPeer.open(port)));
  let maxReserved = 0;
  const sampler = setInterval(() => (maxReserved = Math.max(maxReserved, server.server.messageMemory.reserved)), 1);
  try {
    const closes = connections.map((connection) => closeOf(connection, 10_000).catch(() => null));
    // Round-robin: every connection is mid-message at once.
    for (let i = 0; i < 64; i++) {
      await Promise.all(peers.map((peer) => (peer.serverClosed ? undefined : peer.write(fragment(i === 0, i === 63, Buffer.alloc(16 * KiB, i))).catch(() => {}))));
    }
    await eventually(() => whole + connections.filter((connection) => connection.readyState === 3).length === 20, 5000, 'every connection to finish or fail');
    assert.ok(maxReserved <= LIMIT, `at most ${maxReserved} bytes reserved`);
    assert.ok(whole >= 1, `${whole} messages completed`);
    const codes = (await Promise.all(closes.filter((_, index) => connections[index]!.readyState === 3))).map((close) => close?.code);
    assert.ok(codes.length > 0 && codes.every((code) => code === 1013), `the others failed with 1013: ${codes.join(', ')}`);
    await eventually(() => server.server.messageMemory.reserved === 0, 2000, 'every reservation given back');
  } finally {
    clearInterval(sampler);
    for (const peer of peers) peer.destroy();
    await server.close();
  }
});

test('a flood of empty fragments holds no memory and ends at maxFragments with 1009', async () => {
  const connections: Connection[] = [];
  const server = await startServer((connection) => connections.push(connection), { maxFragments: 10_000 });
  const peer = await RawPeer.open((server.server.address() as { port: number }).port);
  try {
    const closed = closeOf(connections[0]!);
    const empty = fragment(false, false, Buffer.alloc(0));
    await peer.write(Buffer.concat([fragment(true, false, Buffer.alloc(0)), ...new Array(5_000).fill(empty)]));
    await eventually(() => connections[0]!.counters.bytesIn >= 5_001 * 6, 2000, 'the first 5,000 fragments');
    assert.is(server.server.messageMemory.reserved, 0, 'empty fragments hold nothing');
    await peer.write(Buffer.concat(new Array(6_000).fill(empty))).catch(() => {});
    assert.is((await closed).code, 1009);
  } finally {
    peer.destroy();
    await server.close();
  }
});

test('the default budget and its checks', () => {
  assert.is(DEFAULT_MAX_MESSAGE_MEMORY, 512 * 1024 * 1024);
  assert.is(new MemoryBudget().limit, DEFAULT_MAX_MESSAGE_MEMORY);
  assert.throws(() => new MemoryBudget(-1), (error: Error) => error instanceof RangeError && /"maxMessageMemory"/.test(error.message));
});

test.run();
