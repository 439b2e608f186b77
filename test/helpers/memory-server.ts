/**
 * A wspipe echo server in a child process, for memory measurements that the test process's
 * own objects must not disturb: `node --expose-gc --import tsx test/helpers/memory-server.ts`.
 * Prints `listening PORT`; each `measure` line on stdin is answered with `heap BYTES` (V8
 * heap used after two full GCs).
 */
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { startEchoServer } from '../../src/cli/echo-server.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const server = await startEchoServer({ host: '127.0.0.1', port: 0 });
console.log(`listening ${(server.address() as AddressInfo).port}`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line !== 'measure') return;
  gc();
  gc();
  console.log(`heap ${process.memoryUsage().heapUsed}`);
});
process.stdin.on('end', () => process.exit(0));
