import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HeaderParser, HeaderParserCore, WebSocketError, type FramePart } from '../src/transforms/index.js';
import { collect } from './helpers/decode.js';
import { frame, MASK, rechunk } from './helpers/frames.js';

function parse(chunks: Buffer[], options = {}): FramePart[] {
  const parts: FramePart[] = [];
  const core = new HeaderParserCore(options, { accept: (part) => parts.push(part) });
  for (const chunk of chunks) core.accept(chunk);
  core.finish();
  return parts;
}

function parseError(bytes: Buffer, options = {}): WebSocketError {
  try {
    parse([bytes], options);
  } catch (error) {
    assert.instance(error, WebSocketError);
    return error as WebSocketError;
  }
  throw new Error('expected a WebSocketError');
}

/** Joins the payload pieces of each frame. */
function frames(parts: FramePart[]): Array<{ opcode: number; fin: boolean; payload: Buffer; masked: boolean }> {
  const result: Array<{ opcode: number; fin: boolean; payload: Buffer; masked: boolean }> = [];
  let pieces: Buffer[] = [];
  let expectedOffset = 0;
  for (const part of parts) {
    assert.is(part.offset, expectedOffset, 'pieces arrive in order with running offsets');
    pieces.push(part.data);
    expectedOffset += part.data.length;
    if (part.last) {
      const payload = Buffer.concat(pieces);
      assert.is(payload.length, part.header.payloadLength);
      result.push({ opcode: part.header.opcode, fin: part.header.fin, payload, masked: part.header.masked });
      pieces = [];
      expectedOffset = 0;
    }
  }
  return result;
}

test('7-bit, 16-bit and 64-bit lengths, in 1-byte chunks and whole', () => {
  const payloads = [Buffer.alloc(0), Buffer.alloc(125, 1), Buffer.alloc(126, 2), Buffer.alloc(65535, 3), Buffer.alloc(65536, 4), Buffer.alloc(70000, 5)];
  const stream = Buffer.concat(payloads.map((payload) => frame({ opcode: 2, payload })));
  for (const sizes of [[stream.length], [1], [2, 3, 7], [13], [65536]]) {
    const result = frames(parse(rechunk(stream, sizes)));
    assert.is(result.length, payloads.length);
    result.forEach((parsed, i) => assert.ok(parsed.payload.equals(payloads[i]!), `payload ${i} with chunks ${sizes}`));
  }
});

test('header split at every byte boundary, masked, with the 64-bit length', () => {
  const bytes = frame({ opcode: 1, payload: Buffer.alloc(70000, 0x61), mask: MASK });
  for (let split = 1; split < 14; split++) {
    const parts = parse([bytes.subarray(0, split), bytes.subarray(split)]);
    assert.is(parts[0]!.header.masked, true);
    assert.is(parts[0]!.header.maskKey, 0x37fa213d);
    assert.is(parts[0]!.header.payloadLength, 70000);
  }
});

test('payloads are slices of the input, never copies', () => {
  const chunk = frame({ opcode: 2, payload: Buffer.alloc(1000, 7) });
  const [part] = parse([chunk]);
  assert.is(part!.data.buffer, chunk.buffer);
  assert.is(part!.data.byteOffset, chunk.byteOffset + 4);
});

test('a frame larger than memory streams as pieces (announced 2^40 bytes, maxPayload Infinity)', () => {
  const core = new HeaderParserCore({ maxPayload: Infinity }, { accept: (part) => { count++; bytes += part.data.length; } });
  let count = 0;
  let bytes = 0;
  core.accept(frame({ opcode: 2, announcedLength: 2n ** 40n, lengthBits: 64 }));
  const chunk = Buffer.alloc(65536);
  for (let i = 0; i < 100; i++) core.accept(chunk);
  assert.is(count, 100);
  assert.is(bytes, 100 * 65536);
  assert.throws(() => core.finish(), (error: WebSocketError) => error.closeCode === 1006);
});

test('64-bit length with the top bit set → 1002', () => {
  const error = parseError(frame({ opcode: 2, announcedLength: 2n ** 63n, lengthBits: 64 }));
  assert.is(error.closeCode, 1002);
  assert.is(error.code, 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH');
});

test('64-bit length beyond 2^53 → 1009', () => {
  assert.is(parseError(frame({ opcode: 2, announcedLength: 2n ** 60n, lengthBits: 64 })).closeCode, 1009);
});

test('non-minimal length encodings → 1002', () => {
  assert.is(parseError(frame({ opcode: 2, payload: Buffer.alloc(5), lengthBits: 16 })).closeCode, 1002);
  assert.is(parseError(frame({ opcode: 2, payload: Buffer.alloc(300), lengthBits: 64 })).closeCode, 1002);
});

test('reserved opcodes 3-7 and 0xB-0xF → 1002', () => {
  for (const opcode of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
    const error = parseError(frame({ opcode }));
    assert.is(error.closeCode, 1002, `opcode ${opcode}`);
    assert.is(error.code, 'WS_ERR_INVALID_OPCODE');
  }
});

test('RSV bits → 1002 unless an extension allows them', () => {
  assert.is(parseError(frame({ opcode: 1, rsv1: true })).code, 'WS_ERR_UNEXPECTED_RSV_1');
  assert.is(parseError(frame({ opcode: 1, rsv2: true })).code, 'WS_ERR_UNEXPECTED_RSV_2');
  assert.is(parseError(frame({ opcode: 1, rsv3: true })).code, 'WS_ERR_UNEXPECTED_RSV_3');
  assert.is(parseError(frame({ opcode: 1, rsv3: true })).closeCode, 1002);
  assert.is(parse([frame({ opcode: 1, rsv1: true })], { allowRsv1: true })[0]!.header.rsv1, true);
  assert.is(parseError(frame({ opcode: 1, rsv2: true }), { allowRsv1: true }).closeCode, 1002);
});

test('control frames: payload over 125 bytes or FIN clear → 1002', () => {
  const long = parseError(frame({ opcode: 9, payload: Buffer.alloc(126), lengthBits: 16 }));
  assert.is(long.closeCode, 1002);
  assert.is(long.code, 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH');
  const fragmented = parseError(frame({ opcode: 8, fin: false }));
  assert.is(fragmented.closeCode, 1002);
  assert.is(fragmented.code, 'WS_ERR_EXPECTED_FIN');
  assert.is(frames(parse([frame({ opcode: 9, payload: Buffer.alloc(125) })]))[0]!.payload.length, 125);
});

test('errors are raised in the chunk where the bad header completes, not at the end', () => {
  const bytes = Buffer.concat([frame({ opcode: 1, payload: 'ok' }), frame({ opcode: 5 }), Buffer.alloc(1000)]);
  const seen: FramePart[] = [];
  const core = new HeaderParserCore({}, { accept: (part) => seen.push(part) });
  core.accept(bytes.subarray(0, 5));
  assert.throws(() => core.accept(bytes.subarray(5, 6)), (error: WebSocketError) => error.code === 'WS_ERR_INVALID_OPCODE');
  assert.is(seen.length, 1);
});

test('input ending inside a header or a payload → error with 1006', () => {
  const bytes = frame({ opcode: 2, payload: Buffer.alloc(10) });
  for (const cut of [1, 2, 5]) {
    assert.throws(() => parse([bytes.subarray(0, cut)]), (error: WebSocketError) => error.code === 'WS_ERR_UNEXPECTED_EOF' && error.closeCode === 1006);
  }
});

test('maxPayload refuses an oversized plain data frame at its header (1009), not compressed or control ones', () => {
  const error = parseError(frame({ opcode: 2, announcedLength: 1025 }), { maxPayload: 1024 });
  assert.is(error.closeCode, 1009);
  assert.is(error.code, 'WS_ERR_MESSAGE_TOO_BIG');
  assert.is(parse([frame({ opcode: 2, payload: Buffer.alloc(1024) })], { maxPayload: 1024 }).length, 1);
  const compressed = new HeaderParserCore({ maxPayload: 10, allowRsv1: true }, { accept: () => {} });
  compressed.accept(frame({ opcode: 2, rsv1: true, announcedLength: 1000 }));
});

test('HeaderParser is a Transform: bytes in, FrameParts out', async () => {
  const parser = new HeaderParser();
  const output = collect<FramePart>(parser);
  parser.write(frame({ opcode: 1, payload: 'Hel' , fin: false }).subarray(0, 3));
  parser.write(frame({ opcode: 1, payload: 'Hel', fin: false }).subarray(3));
  parser.end(frame({ opcode: 0, payload: 'lo' }));
  const parts = await output;
  assert.equal(frames(parts).map((f) => [f.opcode, f.fin, f.payload.toString()]), [[1, false, 'Hel'], [0, true, 'lo']]);
});

test('HeaderParser stream errors with the close code and does not throw', async () => {
  const parser = new HeaderParser();
  const failure = new Promise<WebSocketError>((resolve) => parser.on('error', resolve));
  parser.resume();
  parser.write(frame({ opcode: 0xf }));
  const error = await failure;
  assert.is(error.closeCode, 1002);
});

test.run();
