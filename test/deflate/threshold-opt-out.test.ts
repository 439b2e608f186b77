/**
 * Which messages the Deflate stage compresses: the threshold (whole messages only), the
 * per-message `compress` choice, control messages (never, RFC 7692 §6), and the caller's
 * mistakes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeflateCore, withCompress, RSV1, type MessagePart } from '../../src/transforms/index.js';
import { decodeAll, encodeAll, parseFrames, settled } from './helpers.js';

const text = (bytes: number) => 'x'.repeat(bytes);

test('whole messages below the threshold (default 1024) go out uncompressed', async () => {
  const encoded = await encodeAll(
    [
      { type: 'text', data: text(1023) },
      { type: 'text', data: text(1024) },
      { type: 'binary', data: Buffer.alloc(10) },
    ],
    { role: 'server', deflate: {} },
  );
  assert.equal(parseFrames(encoded.bytes).map((frame) => frame.rsv1), [false, true, false]);
  const custom = await encodeAll([{ type: 'text', data: text(99) }, { type: 'text', data: text(100) }], { role: 'server', deflate: { threshold: 100 } });
  assert.equal(parseFrames(custom.bytes).map((frame) => frame.rsv1), [false, true]);
});

test('a message written in parts is compressed whatever the size of its first part', async () => {
  const encoded = await encodeAll(
    [
      { kind: 'text', rsv: 0, data: Buffer.from('a'), last: false },
      { kind: 'text', rsv: 0, data: Buffer.from('b'), last: true },
    ],
    { role: 'server', deflate: {} },
  );
  assert.equal(parseFrames(encoded.bytes).map((frame) => frame.rsv1), [true, false]);
});

test('per-message opt-out and opt-in: compress false / true, also through withCompress()', async () => {
  const big = text(5000);
  const inputs = [
    withCompress({ type: 'text', data: big }, false),
    withCompress({ type: 'text', data: 'tiny' }, true),
    { kind: 'binary' as const, rsv: 0, compress: false, data: Buffer.from(big), last: false },
    { kind: 'binary' as const, rsv: 0, data: Buffer.from(big), last: true },
    { type: 'text' as const, data: big },
  ];
  const encoded = await encodeAll(inputs, { role: 'client', deflate: {} });
  const frames = parseFrames(encoded.bytes);
  assert.equal(frames.map((frame) => frame.rsv1), [false, true, false, false, true]);
  assert.is(frames[0]!.payload.toString(), big, 'sent as is');
  const decoded = await decodeAll([encoded.bytes], { role: 'server', inflate: {} });
  assert.is(decoded.error, null);
  assert.equal(decoded.messages, [
    { type: 'text', data: big },
    { type: 'text', data: 'tiny' },
    { type: 'binary', data: Buffer.from(big + big) },
    { type: 'text', data: big },
  ]);
});

test('control messages are never compressed, even asked to', async () => {
  const encoded = await encodeAll(
    [
      { type: 'ping', data: text(125) },
      { kind: 'pong', rsv: 0, compress: true, data: Buffer.from(text(100)), last: true },
      { type: 'close', code: 1000, reason: text(100) },
    ],
    { role: 'server', deflate: { threshold: 0 } },
  );
  assert.equal(parseFrames(encoded.bytes).map((frame) => [frame.opcode, frame.rsv1]), [[9, false], [10, false], [8, false]]);
});

test('caller mistakes throw at once and leave the stage usable', async () => {
  const out: MessagePart[] = [];
  const core = new DeflateCore({ threshold: 0 }, { accept: (part) => out.push(part) });
  assert.throws(() => core.accept({ kind: 'text', rsv: RSV1, data: Buffer.from('x'), last: true }), /already marked compressed/);
  core.accept({ kind: 'text', rsv: 0, data: Buffer.from('abc'), last: false });
  assert.throws(() => core.accept({ kind: 'binary', rsv: 0, data: Buffer.from('x'), last: true }), /cannot start/);
  core.accept({ kind: 'text', rsv: 0, data: Buffer.from('def'), last: true });
  assert.is(await settled(core), null);
  assert.equal(out.map((part) => [part.kind, (part.rsv & RSV1) !== 0, part.last]), [['text', true, false], ['text', true, true]]);
  core.finish();
});

test('finish() throws while a message is half written', async () => {
  const core = new DeflateCore({}, { accept: () => {} });
  core.accept({ kind: 'binary', rsv: 0, data: Buffer.alloc(2000), last: false });
  assert.is(await settled(core), null);
  assert.throws(() => core.finish(), /middle of a binary message/);
  core.close();
});

test('windowBits 8 cannot be used to compress; bad options are refused', () => {
  assert.throws(() => new DeflateCore({ windowBits: 8 }, { accept: () => {} }), /"windowBits" option must be an integer from 9 to 15/);
  assert.throws(() => new DeflateCore({ windowBits: 16 }, { accept: () => {} }), RangeError);
  assert.throws(() => new DeflateCore({ level: 10 }, { accept: () => {} }), RangeError);
  assert.throws(() => new DeflateCore({ memLevel: 0 }, { accept: () => {} }), RangeError);
  assert.throws(() => new DeflateCore({ threshold: -1 }, { accept: () => {} }), RangeError);
});

test.run();
