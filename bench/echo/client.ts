/**
 * The load generator, in its own process, forked by bench/echo/run.ts with an IPC channel:
 * `node --import tsx bench/echo/client.ts`. The same code drives every server.
 *
 * Per run: one probe message checks that the server echoes the payload intact; then
 * `connections` raw TCP sockets complete the handshake and each keeps `window` messages
 * in flight, sending one more for every echo it gets (the echoes that end in one read
 * are answered with one write). Messages echoed during the measured seconds are counted.
 *
 * IPC: `{ type: 'run', ...RunRequest }` → `{ type: 'phase', phase: 'start' | 'end' }`
 * around the measured interval, then `{ type: 'result', ... }` or `{ type: 'error' }`.
 */
import { connect, type Socket } from 'node:net';
import { echoedFrameSize, FrameCounter, maskedBinaryFrame, randomPayload, repeated, upgradeRequest } from './frames.js';

export interface RunRequest {
  port: number;
  /** Payload bytes of every message. */
  size: number;
  connections: number;
  /** Messages in flight per connection. */
  window: number;
  warmupSeconds: number;
  seconds: number;
  /** Check first that one message comes back intact (not for the raw TCP echo). */
  probe: boolean;
}

export interface RunResult {
  messagesPerSecond: number;
  /** Client CPU time over the measured interval, as a fraction of one core. */
  clientCpu: number;
}

export type ClientMessage =
  | { type: 'phase'; phase: 'start' | 'end' }
  | { type: 'result'; result: RunResult }
  | { type: 'error'; message: string };

const HOST = '127.0.0.1';
const HANDSHAKE_TIMEOUT_MS = 5000;

function post(message: ClientMessage): void {
  process.send!(message);
}

/** Opens a socket and completes the opening handshake; resolves with any bytes after it. */
function open(port: number): Promise<{ socket: Socket; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port, noDelay: true });
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error('Handshake timed out')), HANDSHAKE_TIMEOUT_MS);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', fail);
      socket.pause();
      const status = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      if (!/^HTTP\/1\.1 101 /.test(status)) {
        fail(new Error(`Handshake refused: ${status}`));
        return;
      }
      resolve({ socket, rest: head.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.on('error', fail);
    socket.once('connect', () => socket.write(upgradeRequest(HOST, port)));
  });
}

/** Sends one message and checks that the same bytes come back as one binary frame. */
async function probe(port: number, payload: Buffer): Promise<void> {
  const { socket, rest } = await open(port);
  const expected = echoedFrameSize(payload.length);
  await new Promise<void>((resolve, reject) => {
    const chunks: Buffer[] = [rest];
    let received = rest.length;
    const timer = setTimeout(() => reject(new Error('Probe: no echo within 5 s')), 5000);
    const done = (error?: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    socket.on('error', done);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received < expected) return;
      const frame = Buffer.concat(chunks);
      const echoed = frame.subarray(expected - payload.length, expected);
      if (frame[0] !== 0x82 || received !== expected || !echoed.equals(payload)) done(new Error('Probe: the echo differs from the message sent'));
      else done();
    });
    socket.resume();
    socket.write(maskedBinaryFrame(payload));
  });
}

async function run(request: RunRequest): Promise<RunResult> {
  const { port, size, connections, window } = request;
  const payload = randomPayload(size);
  if (request.probe) await probe(port, payload);

  const frame = maskedBinaryFrame(payload);
  const batch = repeated(frame, window);
  // slices[k]: the first k frames of the batch, one write.
  const slices = Array.from({ length: window + 1 }, (_, k) => batch.subarray(0, k * frame.length));

  let echoed = 0;
  let running = true;
  let failure: Error | null = null;
  let onFailure: (error: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    onFailure = reject;
  });
  failed.catch(() => {});
  const fail = (error: Error): void => {
    if (!running || failure) return;
    failure = error;
    onFailure(error);
  };

  const settled = await Promise.allSettled(Array.from({ length: connections }, () => open(port)));
  const refused = settled.find((outcome) => outcome.status === 'rejected');
  if (refused) {
    for (const outcome of settled) if (outcome.status === 'fulfilled') outcome.value.socket.destroy();
    throw (refused as PromiseRejectedResult).reason;
  }
  const opened = settled.map((outcome) => (outcome as PromiseFulfilledResult<{ socket: Socket; rest: Buffer }>).value);
  const sockets = opened.map(({ socket, rest }) => {
    const counter = new FrameCounter(
      size,
      (frames) => {
        echoed += frames;
        if (running) socket.write(slices[frames]!);
      },
      fail,
    );
    socket.on('data', (chunk: Buffer) => counter.accept(chunk));
    socket.on('error', (error) => fail(error));
    socket.on('close', () => fail(new Error('The server closed a connection during the run')));
    if (rest.length > 0) counter.accept(rest);
    return socket;
  });

  try {
    for (const socket of sockets) {
      socket.resume();
      socket.write(slices[window]!);
    }
    const sleep = (seconds: number): Promise<unknown> => Promise.race([new Promise((resolve) => setTimeout(resolve, seconds * 1000)), failed]);

    await sleep(request.warmupSeconds);
    post({ type: 'phase', phase: 'start' });
    const startCount = echoed;
    const startTime = performance.now();
    const startCpu = process.cpuUsage();
    await sleep(request.seconds);
    const count = echoed - startCount;
    const elapsed = (performance.now() - startTime) / 1000;
    const cpu = process.cpuUsage(startCpu);
    post({ type: 'phase', phase: 'end' });
    return { messagesPerSecond: count / elapsed, clientCpu: (cpu.user + cpu.system) / 1e6 / elapsed };
  } finally {
    running = false;
    for (const socket of sockets) socket.destroy();
  }
}

process.on('message', (message: { type: 'run' } & RunRequest) => {
  if (message.type !== 'run') return;
  run(message).then(
    (result) => post({ type: 'result', result }),
    (error: Error) => post({ type: 'error', message: error.message }),
  );
});
process.on('disconnect', () => process.exit(0));
