import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pipeline, Readable, Writable } from 'node:stream';
import {
  RSV1,
  FrameSerializer,
  Fragmenter,
  Masker,
  MessageEncoder,
  createEncoder,
  createEncoderCore,
  type EncoderInput,
  type EncoderOptions,
  type FramePart,
  FragmenterCore,
  MaskerCore,
  encodeMessage,
} from '../src/transforms/index.js';
import { decode } from './helpers/decode.js';

function encode(inputs: EncoderInput[], options: EncoderOptions): Buffer[] {
  const out: Buffer[] = [];
  const core = createEncoderCore(options, { accept: (chunk) => out.push(chunk) });
  for (const input of inputs) core.accept(input);
  return out;
}

function frames(inputs: EncoderInput[], fragmentSize?: number): FramePart[] {
  const out: FramePart[] = [];
  const core = new FragmenterCore({ fragmentSize }, { accept: (part) => out.push(part) });
  for (const input of inputs) core.accept('kind' in input ? input : encodeMessage(input));
  return out;
}

test('minimal length encoding at the 125/126 and 65535/65536 boundaries', () => {
  for (const [size, headerLength] of [[0, 2], [125, 2], [126, 4], [65535, 4], [65536, 10]] as const) {
    const chunks = encode([{ type: 'binary', data: Buffer.alloc(size) }], { role: 'server' });
    const head = chunks[0]!;
    assert.is(head[0], 0x82);
    const length7 = head[1]! & 0x7f;
    assert.is(length7, size < 126 ? size : size < 65536 ? 126 : 127, `size ${size}`);
    assert.is(Buffer.concat(chunks).length, headerLength + size);
  }
});

test('small frames leave as one Buffer; large payloads are not copied', () => {
  const small = encode([{ type: 'binary', data: Buffer.alloc(100) }], { role: 'server' });
  assert.is(small.length, 1);
  const payload = Buffer.alloc(1 << 20, 3);
  const large = encode([{ type: 'binary', data: payload }], { role: 'server' });
  assert.is(large.length, 2);
  assert.is(large[1], payload, 'the caller buffer itself is passed on');
});

test('binary accepts Uint8Array, ArrayBuffer and other views without copying', () => {
  const backing = new ArrayBuffer(64);
  new Uint8Array(backing).fill(5);
  for (const data of [new Uint8Array(backing, 8, 16), backing, new DataView(backing, 4, 8), new Uint16Array(backing, 2, 4)]) {
    const out: FramePart[] = frames([{ type: 'binary', data }]);
    assert.is(out[0]!.data.buffer, backing);
    assert.is(out[0]!.data.length, (data as ArrayBufferView).byteLength ?? (data as ArrayBuffer).byteLength);
  }
});

test('client role masks every frame with a fresh key and never mutates the caller buffer', async () => {
  const payload = Buffer.alloc(50_000, 0x61);
  const copy = Buffer.from(payload);
  const keys = new Set<number>();
  const out: FramePart[] = [];
  const masker = new MaskerCore({ role: 'client' }, { accept: (part) => out.push(part) });
  const fragmenter = new FragmenterCore({ fragmentSize: 1000 }, masker);
  fragmenter.accept({ kind: 'binary', rsv: 0, data: payload, last: true });
  for (const part of out) {
    assert.ok(part.header.masked);
    keys.add(part.header.maskKey);
  }
  assert.is(out.length, 50);
  assert.ok(keys.size >= 49, 'keys are fresh per frame');
  assert.equal(payload, copy);
  const bytes = Buffer.concat(encode([{ type: 'binary', data: payload }], { role: 'client', fragmentSize: 7000 }));
  assert.equal(payload, copy);
  const { messages, error } = await decode([bytes], { role: 'server' });
  assert.is(error, null);
  assert.equal(messages, [{ type: 'binary', data: copy }]);
});

test('fragmentSize splits large messages into continuation frames', () => {
  const out = frames([{ type: 'text', data: 'abcdefghij' }], 4);
  assert.equal(out.map((p) => [p.header.opcode, p.header.fin, p.data.toString()]), [[1, false, 'abcd'], [0, false, 'efgh'], [0, true, 'ij']]);
});

test('a message given as several parts becomes continuation frames; control frames may interleave', () => {
  const out = frames([
    { kind: 'binary', rsv: 0, data: Buffer.from('ab'), last: false },
    { type: 'ping', data: 'p' },
    { kind: 'binary', rsv: 0, data: Buffer.alloc(0), last: false },
    { kind: 'binary', rsv: 0, data: Buffer.from('cd'), last: false },
    { kind: 'binary', rsv: 0, data: Buffer.alloc(0), last: true },
  ]);
  assert.equal(out.map((p) => [p.header.opcode, p.header.fin, p.data.toString()]), [[2, false, 'ab'], [9, true, 'p'], [0, false, 'cd'], [0, true, '']]);
});

test('RSV1 marks the first frame of a compressed message only', () => {
  const out = frames([{ kind: 'binary', rsv: RSV1, data: Buffer.alloc(10), last: true }], 4);
  assert.equal(out.map((p) => p.header.rsv1), [true, false, false]);
});

test('a new data message before the open one ends is refused', () => {
  assert.throws(() => frames([
    { kind: 'text', rsv: 0, data: Buffer.from('a'), last: false },
    { kind: 'binary', rsv: 0, data: Buffer.from('b'), last: true },
  ]), /cannot start/);
});

test('invalid control messages are refused with a clear error', () => {
  const options: EncoderOptions = { role: 'server' };
  assert.throws(() => encode([{ type: 'ping', data: Buffer.alloc(126) }], options), /at most 125/);
  assert.throws(() => encode([{ type: 'pong', data: 'x'.repeat(126) }], options), /at most 125/);
  assert.throws(() => encode([{ type: 'close', code: 1005, reason: '' }], options), /may not be sent/);
  assert.throws(() => encode([{ type: 'close', code: 999, reason: '' }], options), /may not be sent/);
  assert.throws(() => encode([{ type: 'close', code: 1000, reason: 'é'.repeat(62) }], options), /at most 123/);
  assert.throws(() => encode([{ type: 'close', reason: 'no code' }], options), /needs a close code/);
  assert.is(encode([{ type: 'close', code: 1000, reason: 'x'.repeat(123) }], options)[0]!.length, 2 + 125);
  try {
    encode([{ type: 'ping', data: Buffer.alloc(200) }], options);
  } catch (error) {
    assert.is((error as { code: string }).code, 'WS_ERR_INVALID_MESSAGE');
  }
});

test('the encoder stream refuses an invalid message with a stream error', async () => {
  const encoder = createEncoder({ role: 'server' });
  const failure = new Promise<Error>((resolve) => encoder.on('error', resolve));
  encoder.resume();
  encoder.write({ type: 'ping', data: Buffer.alloc(300) });
  assert.match((await failure).message, /at most 125/);
});

test('separate encode Transforms piped produce the same bytes as the fused encoder', async () => {
  const inputs: EncoderInput[] = [
    { type: 'text', data: 'hello' },
    { type: 'binary', data: Buffer.alloc(70_000, 1) },
    { type: 'close', code: 1000, reason: 'done' },
  ];
  const fused = Buffer.concat(encode(inputs, { role: 'server', fragmentSize: 30_000 }));
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) =>
    pipeline(
      Readable.from(inputs, { objectMode: true }),
      new MessageEncoder(),
      new Fragmenter({ fragmentSize: 30_000 }),
      new Masker({ role: 'server' }),
      new FrameSerializer(),
      new Writable({ write(chunk: Buffer, _e, cb) { chunks.push(chunk); cb(); } }),
      (error) => (error ? reject(error) : resolve()),
    ),
  );
  assert.equal(Buffer.concat(chunks), fused);
});

test.run();
