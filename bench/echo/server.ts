/**
 * One echo server in its own process, forked by bench/echo/run.ts with an IPC channel:
 * `node --import tsx bench/echo/server.ts ours|ws|tcp` (normally run as an esbuild bundle, see bundle.ts).
 *
 * IPC: sends `{ type: 'listening', port }` once ready; answers `{ type: 'cpu' }` with its
 * CPU time so far, and `{ type: 'stop' }` with its peak RSS before it exits (normally, so
 * that `--cpu-prof` can write its profile).
 */
import { readFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { startEchoServer } from '../../src/cli/echo-server.js';

export type ServerRequest = { type: 'cpu' } | { type: 'stop' };
export type ServerReply =
  | { type: 'listening'; port: number }
  | { type: 'cpu'; userMicros: number; systemMicros: number }
  | { type: 'stopped'; peakRss: number; peakRssSource: 'VmHWM' | 'sampled' };

const implementation = process.argv[2];
const HOST = '127.0.0.1';

// Peak RSS: the kernel's high-water mark (VmHWM) where there is one; elsewhere sampled
// every 25 ms (reading RSS is a system call, so not where the kernel keeps the peak).
function vmHwm(): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

let sampledPeak = process.memoryUsage.rss();
if (vmHwm() === null) {
  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > sampledPeak) sampledPeak = rss;
  }, 25);
  sampler.unref();
}

function send(reply: ServerReply): void {
  process.send!(reply);
}

let close: () => Promise<void>;

if (implementation === 'ours') {
  const server = await startEchoServer({ host: HOST, port: 0 });
  close = () => new Promise((resolve) => server.close(() => resolve()));
  send({ type: 'listening', port: (server.address() as AddressInfo).port });
} else if (implementation === 'ws') {
  const server = new WebSocketServer({ host: HOST, port: 0, perMessageDeflate: false });
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
  throw new Error(`Unknown echo server ${String(implementation)} (expected ours or ws)`);
}

process.on('message', (request: ServerRequest) => {
  if (request.type === 'cpu') {
    const usage = process.cpuUsage();
    send({ type: 'cpu', userMicros: usage.user, systemMicros: usage.system });
  } else if (request.type === 'stop') {
    const hwm = vmHwm();
    const reply: ServerReply = hwm === null ? { type: 'stopped', peakRss: sampledPeak, peakRssSource: 'sampled' } : { type: 'stopped', peakRss: hwm, peakRssSource: 'VmHWM' };
    process.send!(reply, () => {
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
