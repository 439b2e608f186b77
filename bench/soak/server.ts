/**
 * The soak's server, in its own process (forked by run.ts, run with --expose-gc): the CLI's
 * echo server with permessage-deflate accepted. IPC: `{ type: 'stats', gc }` is answered with
 * its memory (after a full GC when asked), its active handles by type, its connections and
 * the bytes its unfinished messages hold; `{ type: 'stop' }` closes it.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { startEchoServer } from '../../src/cli/echo-server.js';

export interface SoakStats {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** process.getActiveResourcesInfo(), counted by type. */
  handles: Record<string, number>;
  connections: number;
  messageMemory: number;
}

export type SoakServerRequest = { type: 'stats'; gc: boolean } | { type: 'stop' };
export type SoakServerReply = { type: 'listening'; port: number } | { type: 'stats'; stats: SoakStats } | { type: 'stopped' };

function rss(): number {
  try {
    return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
  } catch {
    return process.memoryUsage.rss();
  }
}

const server = await startEchoServer({ host: '127.0.0.1', port: 0, perMessageDeflate: true });
process.send!({ type: 'listening', port: (server.address() as AddressInfo).port } satisfies SoakServerReply);

process.on('message', (request: SoakServerRequest) => {
  if (request.type === 'stats') {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (request.gc && gc) {
      gc();
      gc();
    }
    const memory = process.memoryUsage();
    const handles: Record<string, number> = {};
    for (const type of process.getActiveResourcesInfo()) handles[type] = (handles[type] ?? 0) + 1;
    const stats: SoakStats = {
      rss: rss(),
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      external: memory.external,
      arrayBuffers: memory.arrayBuffers,
      handles,
      connections: server.connections.size,
      messageMemory: server.messageMemory.reserved,
    };
    process.send!({ type: 'stats', stats } satisfies SoakServerReply);
  } else if (request.type === 'stop') {
    void server.close({ timeout: 2000 }).finally(() => process.send!({ type: 'stopped' } satisfies SoakServerReply, () => process.exit(0)));
  }
});
process.on('disconnect', () => process.exit(0));
