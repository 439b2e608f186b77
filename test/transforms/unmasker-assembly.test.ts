/**
 * The fused server chain unmasks a binary message sent as one frame straight into its own
 * buffer and passes it on whole: one pass where unmasking in place and assembling took two.
 * What must not change: text still fails fast, other frames still stream in pieces.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HeaderParserCore, MemoryBudget, UnmaskerCore, createDecoderCore, type FramePart, type Message } from '../../src/transforms/index.js';
import { frame, MASK } from '../helpers/frames.js';

function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

function unmaskerParts(bytes: Buffer, chunk: number, assembleFramesUpTo: number): FramePart[] {
  const parts: FramePart[] = [];
  const parser = new HeaderParserCore({ maxPayload: Infinity, allowRsv2: true }, new UnmaskerCore({ role: 'server', assembleFramesUpTo }, { accept: (part) => parts.push(part) }));
  for (const piece of pieces(bytes, chunk)) parser.accept(Buffer.from(piece));
  return parts;
}

const payload = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) & 0xff));

test('a single-frame binary message in 64 KiB chunks leaves the Unmasker as one unmasked part', () => {
  const parts = unmaskerParts(frame({ opcode: 2, payload, mask: MASK }), 65536, 1 << 20);
  assert.is(parts.length, 1);
  assert.ok(parts[0]!.data.equals(payload));
  assert.equal([parts[0]!.offset, parts[0]!.last], [0, true]);
});

test('without the bound, or for text, fragments, reserved bits and frames over it: pieces as they come', () => {
  const binary = frame({ opcode: 2, payload, mask: MASK });
  assert.ok(unmaskerParts(binary, 65536, 0).length > 1, 'no bound');
  assert.ok(unmaskerParts(binary, 65536, payload.length - 1).length > 1, 'over the bound');
  assert.ok(unmaskerParts(frame({ opcode: 1, payload: 'a'.repeat(200_000), mask: MASK }), 65536, 1 << 20).length > 1, 'text');
  assert.ok(unmaskerParts(frame({ opcode: 2, fin: false, payload, mask: MASK }), 65536, 1 << 20).length > 1, 'first fragment');
  const parts = unmaskerParts(frame({ opcode: 2, rsv2: true, payload, mask: MASK }), 65536, 1 << 20);
  assert.ok(parts.length > 1, 'reserved bit');
  assert.ok(Buffer.concat(parts.map((part) => part.data)).equals(payload), 'pieces are unmasked in place');
});

test('the fused server decoder delivers the message whole and intact, split anywhere', () => {
  for (const chunk of [1, 13, 4096, 65536]) {
    const messages: Message[] = [];
    const decoder = createDecoderCore({ role: 'server' }, { accept: (message) => messages.push(message) });
    const bytes = frame({ opcode: 2, payload: payload.subarray(0, chunk === 1 ? 3000 : payload.length), mask: MASK });
    for (const piece of pieces(bytes, chunk)) decoder.accept(Buffer.from(piece));
    assert.is(messages.length, 1, `chunk ${chunk}`);
    assert.ok(((messages[0] as { data: Buffer }).data).equals(payload.subarray(0, chunk === 1 ? 3000 : payload.length)), `chunk ${chunk}`);
  }
});

test('invalid UTF-8 in a large text frame still fails in the first piece (fail-fast)', () => {
  const decoder = createDecoderCore({ role: 'server' }, { accept: () => {} });
  const bytes = frame({ opcode: 1, payload: Buffer.concat([Buffer.from([0xc3, 0x28]), Buffer.alloc(100_000, 0x61)]), mask: MASK });
  assert.throws(() => decoder.accept(bytes.subarray(0, 4096)), (error: Error & { closeCode?: number }) => error.closeCode === 1007);
});

test('a frame being assembled holds its buffer in the memory budget, as the MessageDecoder would: 1013 when it does not fit', () => {
  const bytes = frame({ opcode: 2, payload, mask: MASK });
  const small = new MemoryBudget(64 * 1024);
  const refused = createDecoderCore({ role: 'server', messageMemory: small }, { accept: () => {} });
  assert.throws(() => refused.accept(bytes.subarray(0, 4096)), (error: Error & { closeCode?: number }) => error.closeCode === 1013);
  assert.is(small.reserved, 0);

  const budget = new MemoryBudget(1 << 20);
  const messages: Message[] = [];
  const decoder = createDecoderCore({ role: 'server', messageMemory: budget }, { accept: (message) => messages.push(message) });
  decoder.accept(bytes.subarray(0, 4096));
  assert.is(budget.reserved, payload.length, 'reserved while the frame is unfinished');
  decoder.accept(bytes.subarray(4096));
  assert.is(messages.length, 1);
  assert.is(budget.reserved, 0, 'given back once passed on');

  const dropped = createDecoderCore({ role: 'server', messageMemory: budget }, { accept: () => {} });
  dropped.accept(bytes.subarray(0, 4096));
  dropped.destroy();
  assert.is(budget.reserved, 0, 'given back when the chain is destroyed');
});

test('a header claiming more than 2 MiB allocates nothing up front: the frame streams to the MessageDecoder', () => {
  const budget = new MemoryBudget(1 << 30);
  const decoder = createDecoderCore({ role: 'server', messageMemory: budget }, { accept: () => {} });
  // The header of a 50 MiB masked binary frame, and its first 4 KiB.
  const header = Buffer.from([0x82, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, ...MASK]);
  header.writeUInt32BE(50 << 20, 6);
  const before = process.memoryUsage().arrayBuffers;
  decoder.accept(Buffer.concat([header, Buffer.alloc(4096)]));
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown < 8 << 20, `${grown} bytes allocated for 4 KiB received`);
  assert.ok(budget.reserved < 1 << 20, `${budget.reserved} bytes held for 4 KiB received`);
  decoder.destroy();
  assert.is(budget.reserved, 0);
});

test.run();
