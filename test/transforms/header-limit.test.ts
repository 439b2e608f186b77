/**
 * The separate Transforms give the fused decoder's verdict: with maxPayload 1000, a frame
 * whose header announces 2000 bytes is refused with 1009 as soon as its header arrives —
 * by createDecoder() and by HeaderParser → Unmasker → Defragmenter → MessageDecoder — and
 * a frame of exactly 1000 bytes passes both.
 */
import { pipeline, type Transform } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDecoder, Defragmenter, HeaderParser, MessageDecoder, Unmasker, WebSocketError, type Message } from '../../src/transforms/index.js';
import { frame, MASK } from '../helpers/frames.js';
import { withTimeout } from '../helpers/timeouts.js';

const LIMIT = 1000;

/** Only the header of a masked binary frame announcing `length` bytes (16-bit length, RFC 6455 §5.2). */
function headerOnly(length: number): Buffer {
  return Buffer.from([0x82, 0x80 | 126, length >> 8, length & 0xff, ...MASK]);
}

interface Decoding {
  /** Where bytes go in. */
  input: Transform;
  /** The first error of the chain, or of any stage in it. */
  failed: Promise<Error>;
  /** The messages that come out. */
  messages: Message[];
  destroy(): void;
}

function fused(): Decoding {
  const decoder = createDecoder({ role: 'server', maxPayload: LIMIT });
  const messages: Message[] = [];
  decoder.on('data', (message: Message) => messages.push(message));
  const failed = new Promise<Error>((resolve) => decoder.once('error', resolve));
  return { input: decoder, failed, messages, destroy: () => decoder.destroy() };
}

function separate(): Decoding {
  const stages: Transform[] = [new HeaderParser({ maxPayload: LIMIT }), new Unmasker({ role: 'server' }), new Defragmenter(), new MessageDecoder({ maxPayload: LIMIT })];
  const messages: Message[] = [];
  const failed = new Promise<Error>((resolve) => {
    pipeline(stages, (error) => {
      if (error) resolve(error);
    });
  });
  stages[stages.length - 1]!.on('data', (message: Message) => messages.push(message));
  return { input: stages[0]!, failed, messages, destroy: () => stages.forEach((stage) => stage.destroy()) };
}

for (const [name, make] of [
  ['createDecoder({ role: "server", maxPayload: 1000 })', fused],
  ['HeaderParser → Unmasker → Defragmenter → MessageDecoder, each with maxPayload 1000', separate],
] as const) {
  test(`${name}: a header announcing 2000 bytes is refused with 1009 before any payload`, async () => {
    const decoding = make();
    try {
      decoding.input.write(headerOnly(2 * LIMIT)); // and not one payload byte
      const error = await withTimeout(decoding.failed, 2000, 'the refusal at the header');
      assert.instance(error, WebSocketError);
      assert.is((error as WebSocketError).closeCode, 1009);
      assert.equal(decoding.messages, []);
    } finally {
      decoding.destroy();
    }
  });

  test(`${name}: a frame of exactly 1000 bytes passes`, async () => {
    const decoding = make();
    try {
      decoding.input.write(frame({ opcode: 0x2, payload: Buffer.alloc(LIMIT, 7), mask: MASK }));
      await withTimeout(
        (async () => {
          while (decoding.messages.length === 0) await new Promise((resolve) => setImmediate(resolve));
        })(),
        2000,
        'the message',
      );
      assert.equal(decoding.messages, [{ type: 'binary', data: Buffer.alloc(LIMIT, 7) }]);
    } finally {
      decoding.destroy();
    }
  });
}

test.run();
