/**
 * Receive backpressure, measured: a server sends 256 MiB to a WebSocketStream whose
 * readable nobody reads. The client runs in a child process (its memory is not blurred by
 * this one's): while it does not read, its resident memory grows by little more than its
 * readable's high-water mark, and the 256 MiB stay in the server's send buffer (its
 * bufferedAmount) — the TCP window closed. Once it reads, every byte arrives, in order.
 */
import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Connection } from '../../src/index.js';
import { runChild } from '../helpers/child-process.js';
import { startListening } from '../helpers/servers.js';
import { withTimeout } from '../helpers/timeouts.js';
import { blastMessage } from './peers.js';

const MiB = 1 << 20;
const COUNT = 256;
const SIZE = MiB;
const HIGH_WATER_MARK = MiB;
/** What the idle client may grow by beyond its high-water mark: one message being decoded, socket reads, the runtime's own noise. */
const SLACK = 12 * MiB;
/** How long the client does not read. */
const IDLE_MS = 1000;

test('256 MiB to an unread readable: the client stays within its high-water mark, the server holds the rest; then all arrives in order', async () => {
  const hash = createHash('sha256');
  let serverSide: Connection | undefined;
  const server = await startListening({ maxBufferedAmount: 2 * COUNT * SIZE }, (connection) => {
    serverSide = connection;
    // One message a turn, so that each is its own write: what the kernel takes leaves the
    // send buffer at once, and bufferedAmount is only what the client's TCP window refused.
    const sendFrom = (index: number): void => {
      if (index === COUNT || connection.readyState !== 1) return;
      const message = blastMessage(index, SIZE);
      hash.update(message);
      connection.send(message);
      setImmediate(() => sendFrom(index + 1));
    };
    sendFrom(0);
  });
  const child = runChild(process.execPath, ['--import', 'tsx', 'test/streams/programs/unread-client.ts', server.url, String(HIGH_WATER_MARK), String(COUNT)], { stdin: 'pipe' });
  try {
    await child.waitForLine(/^open$/, 15000);
    // Time for a client without receive backpressure to show it: on loopback, a second is
    // enough for hundreds of MiB (undici's WebSocketStream takes over 100 MiB in a fifth of it).
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const held = serverSide!.bufferedAmount;
    child.child.stdin!.write('read\n');
    const [, before, peak] = (await child.waitForLine(/^idle (\d+) (\d+)$/, 5000)).map(Number) as [number, number, number];
    const growth = peak - before;
    console.log(`      unread readable (high-water mark ${HIGH_WATER_MARK / MiB} MiB): client RSS +${(growth / MiB).toFixed(1)} MiB, server bufferedAmount ${(held / MiB).toFixed(1)} MiB of ${(COUNT * SIZE) / MiB} MiB`);
    assert.ok(growth < HIGH_WATER_MARK + SLACK, `the client grew by ${growth} bytes while not reading`);
    assert.ok(held > COUNT * SIZE - 32 * MiB, `the server still holds ${held} bytes`);
    const [, messages, bytes, digest, inOrder] = (await child.waitForLine(/^done (\d+) (\d+) ([0-9a-f]+) (true|false)$/, 30000)) as unknown as string[];
    assert.is(Number(messages), COUNT);
    assert.is(Number(bytes), COUNT * SIZE);
    assert.is(inOrder, 'true');
    assert.is(digest, hash.digest('hex'));
    assert.equal(await child.exited(10000), { code: 0, signal: null });
    assert.is(serverSide!.bufferedAmount, 0);
  } finally {
    child.kill();
    await withTimeout(server.stop(), 5000, 'the server to stop');
  }
});

test.run();
