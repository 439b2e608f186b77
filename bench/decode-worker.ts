/**
 * One decoder implementation over every frame size, in its own process (so that `ws`
 * with and without bufferutil can be compared: WS_NO_BUFFER_UTIL is read at load time).
 * Prints one JSON line of ResultRow[].
 */
import { createRequire } from 'node:module';
import { Defragmenter, HeaderParser, MessageDecoder, Unmasker, createDecoder, createDecoderCore, type Message } from '../src/transforms/index.js';
import { maskedFrameChunks, SIZES } from './frames.js';
import { passesPerSecond, type ResultRow } from './measure.js';

const implementation = process.argv[2] ?? 'fused';
const seconds = Number(process.env.BENCH_SECONDS ?? 1);
const require = createRequire(import.meta.url);
const MAX = 1 << 30;

type Feed = { write(chunk: Buffer): void; count(): number };

function makeFeed(): Feed {
  let messages = 0;
  switch (implementation) {
    case 'core': {
      const core = createDecoderCore({ role: 'server', maxPayload: MAX }, { accept: () => { messages++; } });
      return { write: (chunk) => core.accept(chunk), count: () => messages };
    }
    case 'fused': {
      const decoder = createDecoder({ role: 'server', maxPayload: MAX });
      decoder.on('data', () => { messages++; });
      return { write: (chunk) => decoder.write(chunk), count: () => messages };
    }
    case 'separate': {
      // Batches between the inner stages; single Messages out of the last one.
      const parser = new HeaderParser({ batch: true });
      const tail = parser.pipe(new Unmasker({ role: 'server', batch: true })).pipe(new Defragmenter({ batch: true })).pipe(new MessageDecoder({ maxPayload: MAX }));
      tail.on('data', (_message: Message) => { messages++; });
      return { write: (chunk) => parser.write(chunk), count: () => messages };
    }
    default: {
      // ws's receiver; bufferutil is used unless WS_NO_BUFFER_UTIL is set.
      const { Receiver } = require('ws');
      const receiver = new Receiver({ isServer: true, maxPayload: MAX });
      receiver.on('message', () => { messages++; });
      return { write: (chunk) => receiver.write(chunk), count: () => messages };
    }
  }
}

const rows: ResultRow[] = [];
for (const size of SIZES) {
  const { chunks, frames } = maskedFrameChunks(size.bytes, Math.max(4 << 20, size.bytes * 8));
  const feed = makeFeed();
  const pass = async () => {
    const before = feed.count();
    for (const chunk of chunks) feed.write(chunk);
    // Let stream plumbing deliver what it deferred before the pass counts as done.
    while (feed.count() - before < frames) await new Promise((resolve) => setImmediate(resolve));
  };
  const rate = await passesPerSecond(pass, seconds);
  rows.push({ name: implementation, size: size.label, framesPerSecond: rate * frames, megabytesPerSecond: (rate * frames * size.bytes) / 1e6 });
}
process.stdout.write(JSON.stringify(rows) + '\n');
