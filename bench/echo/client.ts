/**
 * The load generator, in its own process, forked by bench/echo/run.ts and
 * bench/echo/deflate-run.ts with an IPC channel: `node --import tsx bench/echo/client.ts`.
 * The same code drives every server.
 *
 * Per run: one probe message checks that the server echoes the payload intact; then
 * `connections` raw TCP sockets complete the handshake and each keeps `window` messages
 * in flight, sending one more for every echo it gets (the echoes that end in one read
 * are answered with one write). Messages echoed during the measured seconds are counted.
 *
 * With `deflate`, every connection negotiates permessage-deflate (offering
 * client_no_context_takeover) and sends JSON-like text messages compressed once up front
 * (deflate-frames.ts), cycling through enough distinct ones (at least 64 KiB of them) that
 * the server's 32 KiB window never holds an earlier copy of the message it compresses.
 * The reader counts the server's messages without inflating them; the probe inflates
 * three echoes with a persistent inflater and compares them with what was sent.
 *
 * IPC: `{ type: 'run', ...RunRequest }` → `{ type: 'phase', phase: 'start' | 'end' }`
 * around the measured interval, then `{ type: 'result', ... }` or `{ type: 'error' }`.
 */
import type { Socket } from 'node:net';
import { compressAlone, compressedTextFrame, jsonMessage, MessageCounter, MessageInflater, OFFER_NO_CLIENT_CONTEXT, type ReceivedMessage } from './deflate-frames.js';
import { echoedFrameSize, FrameCounter, maskedBinaryFrame, randomPayload, repeated } from './frames.js';
import { open } from './open.js';

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
  /** Compressed JSON-like text over permessage-deflate instead of random binary. */
  deflate?: boolean;
}

export interface RunResult {
  messagesPerSecond: number;
  /** Client CPU time over the measured interval, as a fraction of one core. */
  clientCpu: number;
  /** Average bytes on the wire per message: the client's frames, and the server's. */
  sentBytesPerMessage: number;
  receivedBytesPerMessage: number;
  /** Share of the messages echoed in the measured interval that the server compressed (RSV1). */
  compressedShare: number;
}

export type ClientMessage =
  | { type: 'phase'; phase: 'start' | 'end' }
  | { type: 'result'; result: RunResult }
  | { type: 'error'; message: string };

function post(message: ClientMessage): void {
  process.send!(message);
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

/** Distinct compressed messages of one size, sent in turn; their frames back to back, twice. */
interface DeflateSet {
  payloads: Buffer[];
  frames: Buffer[];
  /** frames, twice: k frames from any index are one contiguous slice. */
  ring: Buffer;
  /** offsets[i]: where frame i (0 ≤ i < 2 × frames.length) starts in `ring`. */
  offsets: number[];
}

const deflateSets = new Map<number, DeflateSet>();

/**
 * Enough distinct messages that the previous copy of the one being compressed is always
 * more than 32 KiB back (out of the server's window), and at least `window` of them.
 */
function deflateSet(size: number, window: number): DeflateSet {
  const count = Math.max(window, Math.ceil((64 * 1024) / size) + 1);
  const cached = deflateSets.get(size);
  if (cached && cached.frames.length >= count) return cached;
  const payloads = Array.from({ length: count }, (_, index) => jsonMessage(size, index + 1));
  const frames = payloads.map((payload) => compressedTextFrame(compressAlone(payload)));
  const ring = Buffer.concat([...frames, ...frames]);
  const offsets = [0];
  for (const frame of [...frames, ...frames]) offsets.push(offsets[offsets.length - 1]! + frame.length);
  const set = { payloads, frames, ring, offsets };
  deflateSets.set(size, set);
  return set;
}

/** Sends three compressed messages and checks that their echoes inflate to the same text. */
async function probeDeflate(port: number, set: DeflateSet): Promise<void> {
  const { socket, rest } = await open(port, OFFER_NO_CLIENT_CONTEXT);
  const count = Math.min(3, set.frames.length);
  const inflater = new MessageInflater();
  try {
    const received = await new Promise<ReceivedMessage[]>((resolve, reject) => {
      const messages: ReceivedMessage[] = [];
      const timer = setTimeout(() => reject(new Error('Probe: no echo within 5 s')), 5000);
      const done = (error?: Error): void => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(messages);
      };
      const counter = new MessageCounter(
        () => {
          if (messages.length >= count) done();
        },
        done,
        (message) => messages.push(message),
      );
      socket.on('error', done);
      socket.on('data', (chunk: Buffer) => counter.accept(chunk));
      if (rest.length > 0) counter.accept(rest);
      socket.resume();
      socket.write(Buffer.concat(set.frames.slice(0, count)));
    });
    for (let i = 0; i < count; i++) {
      const message = received[i]!;
      if (!message.text) throw new Error('Probe: the echo of a text message is not text');
      const text = message.compressed ? await inflater.inflate(message.payload) : message.payload;
      if (!text.equals(set.payloads[i]!)) throw new Error(`Probe: echo ${i + 1} (${message.compressed ? 'compressed' : 'uncompressed'}) differs from the message sent`);
    }
  } finally {
    inflater.close();
    socket.destroy();
  }
}

async function run(request: RunRequest): Promise<RunResult> {
  const { port, size, connections, window } = request;
  // next(k): the next k frames of a connection as one buffer (one write).
  let makeNext: () => (k: number) => Buffer;
  let frameBytes: number;
  if (request.deflate) {
    const set = deflateSet(size, window);
    if (request.probe) await probeDeflate(port, set);
    const { ring, offsets } = set;
    const count = set.frames.length;
    frameBytes = offsets[count]! / count;
    makeNext = () => {
      let cursor = 0;
      return (k) => {
        const slice = ring.subarray(offsets[cursor]!, offsets[cursor + k]!);
        cursor = (cursor + k) % count;
        return slice;
      };
    };
  } else {
    const payload = randomPayload(size);
    if (request.probe) await probe(port, payload);
    const frame = maskedBinaryFrame(payload);
    const batch = repeated(frame, window);
    // slices[k]: the first k frames of the batch, one write.
    const slices = Array.from({ length: window + 1 }, (_, k) => batch.subarray(0, k * frame.length));
    frameBytes = frame.length;
    makeNext = () => (k) => slices[k]!;
  }

  let echoed = 0;
  let received = 0;
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

  const settled = await Promise.allSettled(Array.from({ length: connections }, () => open(port, request.deflate ? OFFER_NO_CLIENT_CONTEXT : undefined)));
  const refused = settled.find((outcome) => outcome.status === 'rejected');
  if (refused) {
    for (const outcome of settled) if (outcome.status === 'fulfilled') outcome.value.socket.destroy();
    throw (refused as PromiseRejectedResult).reason;
  }
  const opened = settled.map((outcome) => (outcome as PromiseFulfilledResult<{ socket: Socket; rest: Buffer }>).value);
  const counters: MessageCounter[] = [];
  const sockets = opened.map(({ socket, rest }) => {
    const next = makeNext();
    const onEchoes = (frames: number): void => {
      echoed += frames;
      if (running) socket.write(next(frames));
    };
    let accept: (chunk: Buffer) => void;
    if (request.deflate) {
      const counter = new MessageCounter(onEchoes, fail);
      counters.push(counter);
      accept = (chunk) => {
        received += chunk.length;
        counter.accept(chunk);
      };
    } else {
      const counter = new FrameCounter(size, onEchoes, fail);
      accept = (chunk) => {
        received += chunk.length;
        counter.accept(chunk);
      };
    }
    socket.on('data', accept);
    socket.on('error', (error) => fail(error));
    socket.on('close', () => fail(new Error('The server closed a connection during the run')));
    if (rest.length > 0) accept(rest);
    return { socket, next };
  });
  const compressedSoFar = (): number => counters.reduce((sum, counter) => sum + counter.compressed, 0);

  try {
    for (const { socket, next } of sockets) {
      socket.resume();
      socket.write(next(window));
    }
    const sleep = (seconds: number): Promise<unknown> => Promise.race([new Promise((resolve) => setTimeout(resolve, seconds * 1000)), failed]);

    await sleep(request.warmupSeconds);
    post({ type: 'phase', phase: 'start' });
    const startCount = echoed;
    const startReceived = received;
    const startCompressed = compressedSoFar();
    const startTime = performance.now();
    const startCpu = process.cpuUsage();
    await sleep(request.seconds);
    const count = echoed - startCount;
    const elapsed = (performance.now() - startTime) / 1000;
    const cpu = process.cpuUsage(startCpu);
    post({ type: 'phase', phase: 'end' });
    return {
      messagesPerSecond: count / elapsed,
      clientCpu: (cpu.user + cpu.system) / 1e6 / elapsed,
      sentBytesPerMessage: frameBytes,
      receivedBytesPerMessage: (received - startReceived) / Math.max(1, count),
      compressedShare: request.deflate ? (compressedSoFar() - startCompressed) / Math.max(1, count) : 0,
    };
  } finally {
    running = false;
    for (const { socket } of sockets) socket.destroy();
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
