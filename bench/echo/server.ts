/**
 * One echo server in its own process, forked with an IPC channel by bench/echo/run.ts,
 * bench/echo/deflate-run.ts and bench/deflate-rss/run.ts:
 * `node --import tsx bench/echo/server.ts ours|ws|tcp [plain|deflate|deflate-nct]`
 * (normally run as an esbuild bundle, see bundle.ts).
 *
 * Modes: `plain` (no permessage-deflate), `deflate` (`perMessageDeflate: true` on both:
 * each library's defaults), `deflate-nct` (both with `serverNoContextTakeover: true`:
 * the server resets its compressor after every message).
 *
 * IPC: sends `{ type: 'listening', port }` once ready; answers `{ type: 'cpu' }` with its
 * CPU time so far, `{ type: 'memory', gc }` with its memory (after a full GC when `gc` and
 * the process runs with `--expose-gc`), and `{ type: 'stop' }` with its memory (VmHWM is
 * the peak) before it exits (normally, so that `--cpu-prof` can write its profile).
 */
import { readFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { startEchoServer } from '../../src/cli/echo-server.js';

export type EchoMode = 'plain' | 'deflate' | 'deflate-nct';

export interface ServerMemory {
  /** VmRSS (resident now), bytes; process.memoryUsage.rss() where /proc is missing. */
  rss: number;
  /** VmHWM (peak resident), bytes; sampled every 25 ms where /proc is missing. */
  hwm: number;
  heapUsed: number;
  /** V8 heap committed: part of RSS even when little of it is used. */
  heapTotal: number;
  /** Memory of C++ objects bound to JS ones (Buffers), bytes. */
  external: number;
  arrayBuffers: number;
  /** Whether a full GC ran first. */
  gc: boolean;
  peakSource: 'VmHWM' | 'sampled';
}

export type ServerRequest = { type: 'cpu' } | { type: 'stop' } | { type: 'memory'; gc: boolean };
export type ServerReply =
  | { type: 'listening'; port: number }
  /** mainThreadMicros: the main (JS) thread's share, NaN where /proc has no schedstat; the rest ran on zlib's thread pool and V8's helpers. */
  | { type: 'cpu'; userMicros: number; systemMicros: number; mainThreadMicros: number }
  | { type: 'memory'; memory: ServerMemory }
  | { type: 'stopped'; memory: ServerMemory };

const implementation = process.argv[2];
const mode = (process.argv[3] ?? 'plain') as EchoMode;
if (mode !== 'plain' && mode !== 'deflate' && mode !== 'deflate-nct') throw new Error(`Unknown mode ${String(mode)} (expected plain, deflate or deflate-nct)`);
const HOST = '127.0.0.1';

// Peak RSS: the kernel's high-water mark (VmHWM) where there is one; elsewhere sampled
// every 25 ms (reading RSS is a system call, so not where the kernel keeps the peak).
function procStatus(field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

let sampledPeak = process.memoryUsage.rss();
if (procStatus('VmHWM') === null) {
  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > sampledPeak) sampledPeak = rss;
  }, 25);
  sampler.unref();
}

function memory(gc: boolean): ServerMemory {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (gc && collect) collect();
  const usage = process.memoryUsage();
  const hwm = procStatus('VmHWM');
  return {
    rss: procStatus('VmRSS') ?? usage.rss,
    hwm: hwm ?? Math.max(sampledPeak, usage.rss),
    heapUsed: usage.heapUsed,
    heapTotal: usage.heapTotal,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    gc: gc && collect !== undefined,
    peakSource: hwm === null ? 'sampled' : 'VmHWM',
  };
}

/** CPU time of the main thread in µs, from the scheduler's nanosecond count (NaN where unavailable). */
function mainThreadMicros(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
  } catch {
    return NaN;
  }
}

function send(reply: ServerReply): void {
  process.send!(reply);
}

let close: () => Promise<void>;

if (implementation === 'ours') {
  const perMessageDeflate = mode === 'plain' ? false : mode === 'deflate' ? true : { serverNoContextTakeover: true };
  // BENCH_ECHO_OURS_OPTIONS: more server options as JSON, e.g. '{"idleTimeout":0}', to measure what one costs.
  const extra = JSON.parse(process.env.BENCH_ECHO_OURS_OPTIONS ?? '{}') as Record<string, unknown>;
  const server = await startEchoServer({ host: HOST, port: 0, perMessageDeflate, ...extra });
  close = () => new Promise((resolve) => server.close(() => resolve()));
  send({ type: 'listening', port: (server.address() as AddressInfo).port });
} else if (implementation === 'ws') {
  const perMessageDeflate = mode === 'plain' ? false : mode === 'deflate' ? true : { serverNoContextTakeover: true };
  const server = new WebSocketServer({ host: HOST, port: 0, perMessageDeflate });
  server.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  close = () =>
    new Promise((resolve) => {
      for (const client of server.clients) client.terminate();
      server.close(() => resolve());
    });
  send({ type: 'listening', port: (server.address() as AddressInfo).port });
} else if (implementation === 'tcp') {
  // Not a WebSocket server: bytes back as they come. The ceiling of the load generator and
  // loopback TCP (the handshake is answered with a canned 101; the echoed frames stay masked,
  // so only the load generator's frame counter, not its probe, accepts them).
  const server = createNetServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.once('data', () => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      socket.pipe(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  close = () => new Promise((resolve) => server.close(() => resolve()));
  send({ type: 'listening', port: (server.address() as AddressInfo).port });
} else {
  throw new Error(`Unknown echo server ${String(implementation)} (expected ours, ws or tcp)`);
}

process.on('message', (request: ServerRequest) => {
  if (request.type === 'cpu') {
    const usage = process.cpuUsage();
    send({ type: 'cpu', userMicros: usage.user, systemMicros: usage.system, mainThreadMicros: mainThreadMicros() });
  } else if (request.type === 'memory') {
    send({ type: 'memory', memory: memory(request.gc) });
  } else if (request.type === 'stop') {
    process.send!({ type: 'stopped', memory: memory(false) } satisfies ServerReply, () => {
      // Exit whether or not every connection closes in time; a normal exit writes --cpu-prof.
      const timer = setTimeout(() => process.exit(0), 1000);
      void close().finally(() => {
        clearTimeout(timer);
        process.exit(0);
      });
    });
  }
});
// The parent went away: do not linger.
process.on('disconnect', () => process.exit(0));
