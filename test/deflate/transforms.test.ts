/**
 * The stages as node:stream Transforms, composed by hand around the other stages, and the
 * mapping from the agreed parameters to stage options.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pipeline, Readable, Writable, type Transform } from 'node:stream';
import {
  RSV1,
  createDecoder,
  createEncoder,
  Deflate,
  deflateStageOptions,
  Defragmenter,
  Fragmenter,
  FrameSerializer,
  HeaderParser,
  Inflate,
  Masker,
  MessageDecoder,
  MessageEncoder,
  Unmasker,
  type EncoderInput,
  type Message,
} from '../../src/transforms/index.js';
import { jsonText } from './helpers.js';

function run(source: unknown[], stages: Transform[]): Promise<{ items: unknown[]; error: (Error & { closeCode?: number }) | null }> {
  return new Promise((resolve) => {
    const items: unknown[] = [];
    const sink = new Writable({
      objectMode: true,
      write(item, _encoding, callback) {
        items.push(item);
        callback();
      },
    });
    pipeline([Readable.from(source, { objectMode: true }), ...stages, sink] as unknown as [Readable, ...Transform[], Writable], (error) =>
      resolve({ items, error: (error as Error & { closeCode?: number }) ?? null }),
    );
  });
}

const inputs: Message[] = [
  { type: 'text', data: jsonText(40_000, 51) },
  { type: 'ping', data: Buffer.from('p') },
  { type: 'binary', data: Buffer.from(jsonText(5_000, 52)) },
  { type: 'text', data: 'short' },
  { type: 'text', data: jsonText(40_000, 51) },
];

test('separate Transforms: MessageEncoder → Deflate → … → Inflate → MessageDecoder', async () => {
  const { items, error } = await run(inputs, [
    new MessageEncoder(),
    new Deflate({ threshold: 100 }),
    new Fragmenter({ fragmentSize: 1000 }),
    new Masker({ role: 'client' }),
    new FrameSerializer(),
    new HeaderParser({ allowRsv1: true }),
    new Unmasker({ role: 'server' }),
    new Defragmenter(),
    new Inflate(),
    new MessageDecoder(),
  ]);
  assert.is(error, null, error?.message);
  assert.equal(items, inputs);
});

test('the same with batches between the stages', async () => {
  const batch = true;
  const { items, error } = await run(inputs, [
    new MessageEncoder({ batch }),
    new Deflate({ threshold: 100, batch }),
    new Fragmenter({ fragmentSize: 1000, batch }),
    new Masker({ role: 'client', batch }),
    new FrameSerializer(),
    new HeaderParser({ allowRsv1: true, batch }),
    new Unmasker({ role: 'server', batch }),
    new Defragmenter({ batch }),
    new Inflate({ batch }),
    new MessageDecoder(),
  ]);
  assert.is(error, null, error?.message);
  assert.equal(items, inputs);
});

test('fused Duplexes: createEncoder({ deflate }) → createDecoder({ inflate })', async () => {
  const { items, error } = await run(inputs, [createEncoder({ role: 'server', deflate: {} }), createDecoder({ role: 'client', inflate: {} })]);
  assert.is(error, null, error?.message);
  assert.equal(items, inputs);
});

test('a stage error becomes the stream error (1007 through the Inflate Transform)', async () => {
  const { error } = await run([{ kind: 'binary', rsv: RSV1, data: Buffer.from([0xff, 0xff]), last: true }], [new Inflate()]);
  assert.is(error?.closeCode, 1007);
});

test('destroying the Transforms mid-message releases them without errors escaping', async () => {
  const deflate = new Deflate();
  deflate.write({ kind: 'binary', rsv: 0, data: Buffer.alloc(1 << 20), last: false } satisfies EncoderInput);
  deflate.destroy();
  const inflate = new Inflate();
  inflate.write({ kind: 'binary', rsv: RSV1, data: Buffer.from('f248', 'hex'), last: false });
  inflate.destroy();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(deflate.destroyed && inflate.destroyed);
});

test('deflateStageOptions: each role inflates with the peer parameters and deflates with its own', () => {
  const agreed = { serverNoContextTakeover: true, clientNoContextTakeover: false, serverMaxWindowBits: 10, clientMaxWindowBits: 12, threshold: 64, level: 3, memLevel: 7 };
  assert.equal(deflateStageOptions(agreed, 'server'), {
    inflate: { windowBits: 12, noContextTakeover: false },
    deflate: { windowBits: 10, noContextTakeover: true, threshold: 64, level: 3, memLevel: 7 },
  });
  assert.equal(deflateStageOptions(agreed, 'client'), {
    inflate: { windowBits: 10, noContextTakeover: true },
    deflate: { windowBits: 12, noContextTakeover: false, threshold: 64, level: 3, memLevel: 7 },
  });
});

test.run();
