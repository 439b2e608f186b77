/**
 * Encode → decode through the fused chains with permessage-deflate, both directions:
 * message sizes from 0 B to 16 MiB, fragmented compressed messages, messages written in
 * parts, and input fed to the decoder in small chunks.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import type { EncoderInput, Message, Role } from '../../src/transforms/index.js';
import { chunksOf, decodeAll, encodeAll, jsonText, parseFrames } from './helpers.js';

const peerOf = (role: Role): Role => (role === 'server' ? 'client' : 'server');

async function roundTrip(inputs: EncoderInput[], sender: Role, options: { fragmentSize?: number; chunk?: number; threshold?: number } = {}) {
  const encoded = await encodeAll(inputs, { role: sender, fragmentSize: options.fragmentSize, deflate: { threshold: options.threshold ?? 0 } });
  assert.is(encoded.error, null, encoded.error?.message);
  // The decoder unmasks in place: it gets a copy, the caller the bytes as sent.
  const copy = Buffer.from(encoded.bytes);
  const chunks = options.chunk ? chunksOf(copy, options.chunk) : [copy];
  const decoded = await decodeAll(chunks, { role: peerOf(sender), inflate: {} });
  assert.is(decoded.error, null, decoded.error?.message);
  return { bytes: encoded.bytes, messages: decoded.messages };
}

function sameMessage(actual: Message | undefined, expected: Message, label: string): void {
  assert.ok(actual, `${label}: message missing`);
  assert.is(actual.type, expected.type, label);
  if (actual.type === 'text' && expected.type === 'text') {
    assert.is(actual.data.length, expected.data.length, label);
    assert.ok(actual.data === expected.data, `${label}: text differs`);
  } else if ('data' in actual && 'data' in expected) {
    assert.ok(Buffer.compare(actual.data as Buffer, expected.data as Buffer) === 0, `${label}: data differs`);
  }
}

test('messages of 0 B to 1 MiB round-trip compressed, client → server and server → client', async () => {
  const sizes = [0, 1, 125, 126, 1023, 1024, 65535, 65536, 100_000, 1 << 20];
  for (const sender of ['client', 'server'] as const) {
    const inputs: Message[] = [];
    for (const size of sizes) {
      inputs.push({ type: 'text', data: jsonText(size, size) });
      inputs.push({ type: 'binary', data: randomBytes(size) });
    }
    const { bytes, messages } = await roundTrip(inputs, sender);
    assert.is(messages.length, inputs.length);
    inputs.forEach((input, i) => sameMessage(messages[i], input, `${sender} #${i}`));
    const frames = parseFrames(bytes);
    assert.is(frames.length, inputs.length, 'one frame per message without fragmentSize');
    assert.ok(frames.every((frame) => frame.rsv1), 'every message went out compressed (threshold 0)');
    const text = frames[sizes.length * 2 - 2]!;
    assert.ok(text.payload.length < (1 << 20) / 3, `1 MiB of JSON compressed to ${text.payload.length} bytes`);
  }
});

test('a 16 MiB message round-trips compressed, decoded from 64 KiB chunks', async () => {
  const data = Buffer.from(jsonText(16 << 20, 16));
  const { bytes, messages } = await roundTrip([{ type: 'binary', data }], 'client', { chunk: 64 * 1024 });
  assert.is(messages.length, 1);
  sameMessage(messages[0], { type: 'binary', data }, '16 MiB');
  assert.ok(bytes.length < data.length / 3, `compressed to ${bytes.length} bytes`);
});

test('fragmented compressed messages: RSV1 on the first frame only, both directions, tiny chunks', async () => {
  for (const sender of ['client', 'server'] as const) {
    const inputs: Message[] = [
      { type: 'text', data: jsonText(5000, 3) },
      { type: 'text', data: 'Hello' },
      { type: 'binary', data: randomBytes(3000) },
      { type: 'text', data: '' },
    ];
    const { bytes, messages } = await roundTrip(inputs, sender, { fragmentSize: 100, chunk: 7 });
    inputs.forEach((input, i) => sameMessage(messages[i], input, `${sender} #${i}`));
    const frames = parseFrames(bytes);
    assert.ok(frames.length > 40, `${frames.length} frames`);
    for (const frame of frames) {
      assert.is(frame.rsv1, frame.opcode !== 0, 'RSV1 set on first frames, clear on continuations');
    }
  }
  // One compressed byte per frame.
  const { messages } = await roundTrip([{ type: 'text', data: 'Hello, Hello, Hello!' }], 'client', { fragmentSize: 1, chunk: 1 });
  sameMessage(messages[0], { type: 'text', data: 'Hello, Hello, Hello!' }, 'fragmentSize 1');
});

test('a message written in parts is compressed as a stream, part by part', async () => {
  const pieces = [jsonText(10_000, 5), jsonText(1, 6), '', jsonText(70_000, 7), '\u00e9t\u00e9 \ud83d\ude00'];
  const inputs: EncoderInput[] = pieces.map((piece, i) => ({
    kind: 'text',
    rsv: 0,
    data: Buffer.from(piece),
    last: i === pieces.length - 1,
  }));
  inputs.splice(2, 0, { type: 'ping', data: 'between' });
  for (const sender of ['client', 'server'] as const) {
    const { bytes, messages } = await roundTrip(inputs, sender);
    assert.equal(messages[0], { type: 'ping', data: Buffer.from('between') });
    sameMessage(messages[1], { type: 'text', data: pieces.join('') }, 'streamed');
    const frames = parseFrames(bytes);
    // Each non-empty part became a frame (the empty one added none), the ping went between.
    assert.equal(frames.map((frame) => frame.opcode), [1, 0, 9, 0, 0]);
    assert.equal(frames.map((frame) => frame.rsv1), [true, false, false, false, false]);
    // Non-final parts keep the sync flush's tail (RFC 7692 §7.2.1), the final one has it stripped.
    assert.ok(frames[0]!.payload.subarray(-4).equals(Buffer.from([0, 0, 0xff, 0xff])));
    assert.not.ok(frames[4]!.payload.subarray(-4).equals(Buffer.from([0, 0, 0xff, 0xff])));
  }
});

test('a streamed message whose last part is empty ends with the 1-byte empty block', async () => {
  const inputs: EncoderInput[] = [
    { kind: 'binary', rsv: 0, data: Buffer.from('some bytes'), last: false },
    { kind: 'binary', rsv: 0, data: Buffer.alloc(0), last: true },
    { type: 'binary', data: Buffer.alloc(0) },
  ];
  const { bytes, messages } = await roundTrip(inputs, 'server');
  sameMessage(messages[0], { type: 'binary', data: Buffer.from('some bytes') }, 'streamed');
  sameMessage(messages[1], { type: 'binary', data: Buffer.alloc(0) }, 'empty');
  const frames = parseFrames(bytes);
  // RFC 7692 §7.2.3.6: 0x00 alone, with the tail appended, is an empty stored block.
  assert.equal(frames[1]!.payload, Buffer.from([0x00]));
  assert.equal(frames[2]!.payload, Buffer.from([0x00]));
});

test.run();
