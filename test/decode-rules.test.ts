/**
 * Every violation class of the decode chain, asserted by close code, through the fused
 * decoder and the four separate Transforms, with whole and 1-byte chunks.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DecoderOptions, Message } from '../src/transforms/index.js';
import { frame, MASK, rechunk } from './helpers/frames.js';
import { decode, type DecodePath } from './helpers/decode.js';

const server: DecoderOptions = { role: 'server' };
const m = (spec: Parameters<typeof frame>[0]) => frame({ mask: MASK, ...spec });

async function expectClose(bytes: Buffer, closeCode: number, code: string, options: DecoderOptions = server) {
  for (const path of ['fused', 'separate'] as DecodePath[]) {
    for (const sizes of [[bytes.length], [1]]) {
      const { error } = await decode(rechunk(bytes, sizes), options, path);
      assert.ok(error, `${path}/${sizes}: expected an error`);
      assert.is(error.closeCode, closeCode, `${path}/${sizes}: ${error.message}`);
      assert.is(error.code, code);
    }
  }
}

async function expectMessages(bytes: Buffer, expected: Message[], options: DecoderOptions = server) {
  for (const path of ['fused', 'separate'] as DecodePath[]) {
    for (const sizes of [[bytes.length], [1], [3, 1, 4, 1, 5]]) {
      const { messages, error } = await decode(rechunk(bytes, sizes), options, path);
      assert.is(error, null, `${path}/${sizes}: ${error?.message}`);
      assert.equal(messages, expected, `${path}/${sizes}`);
    }
  }
}

test('mask policy: a server refuses unmasked frames, a client masked ones → 1002', async () => {
  await expectClose(frame({ opcode: 1, payload: 'hi' }), 1002, 'WS_ERR_EXPECTED_MASK');
  await expectClose(m({ opcode: 1, payload: 'hi' }), 1002, 'WS_ERR_UNEXPECTED_MASK', { role: 'client' });
  await expectMessages(frame({ opcode: 1, payload: 'hi' }), [{ type: 'text', data: 'hi' }], { role: 'client' });
});

test('continuation with no message open → 1002', async () => {
  await expectClose(m({ opcode: 0, payload: 'x' }), 1002, 'WS_ERR_UNEXPECTED_CONTINUATION');
});

test('a new data frame while a fragmented message is open → 1002', async () => {
  await expectClose(Buffer.concat([m({ opcode: 1, fin: false, payload: 'a' }), m({ opcode: 2, payload: 'b' })]), 1002, 'WS_ERR_EXPECTED_CONTINUATION');
});

test('fragmented messages reassemble; control frames between fragments arrive at once', async () => {
  const bytes = Buffer.concat([
    m({ opcode: 1, fin: false, payload: 'frag' }),
    m({ opcode: 9, payload: 'ping!' }),
    m({ opcode: 0, fin: false, payload: 'men' }),
    m({ opcode: 0xa, payload: '' }),
    m({ opcode: 0, payload: 'ted' }),
  ]);
  await expectMessages(bytes, [
    { type: 'ping', data: Buffer.from('ping!') },
    { type: 'pong', data: Buffer.alloc(0) },
    { type: 'text', data: 'fragmented' },
  ]);
});

test('RSV1 on a continuation or control frame → 1002 even when allowed', async () => {
  const allow = { role: 'server' as const, allowRsv1: true };
  await expectClose(m({ opcode: 9, rsv1: true }), 1002, 'WS_ERR_UNEXPECTED_RSV_1', allow);
  await expectClose(Buffer.concat([m({ opcode: 2, fin: false, payload: 'a' }), m({ opcode: 0, rsv1: true, payload: 'b' })]), 1002, 'WS_ERR_UNEXPECTED_RSV_1', allow);
});

test('RSV1 on a data frame with no inflate stage → 1002', async () => {
  await expectClose(m({ opcode: 2, rsv1: true, payload: 'a' }), 1002, 'WS_ERR_COMPRESSION_NOT_NEGOTIATED', { role: 'server', allowRsv1: true });
  await expectClose(m({ opcode: 2, rsv1: true, payload: 'a' }), 1002, 'WS_ERR_UNEXPECTED_RSV_1');
});

test('UTF-8: overlong, surrogate, above U+10FFFF, truncated → 1007', async () => {
  const invalid = [[0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xce, 0xba, 0xe1]];
  for (const bytes of invalid) {
    await expectClose(m({ opcode: 1, payload: Uint8Array.from(bytes) }), 1007, 'WS_ERR_INVALID_UTF8');
    const split = Buffer.concat([m({ opcode: 1, fin: false, payload: Uint8Array.from(bytes.slice(0, 1)) }), m({ opcode: 0, payload: Uint8Array.from(bytes.slice(1)) })]);
    await expectClose(split, 1007, 'WS_ERR_INVALID_UTF8');
  }
});

test('UTF-8: a code point split across frames is valid', async () => {
  const text = 'κόσμε 😀 €';
  const bytes = Buffer.from(text);
  for (let cut = 1; cut < bytes.length; cut++) {
    const stream = Buffer.concat([m({ opcode: 1, fin: false, payload: bytes.subarray(0, cut) }), m({ opcode: 0, payload: bytes.subarray(cut) })]);
    const { messages, error } = await decode([stream], server);
    assert.is(error, null);
    assert.equal(messages, [{ type: 'text', data: text }]);
  }
});

test('UTF-8 fails fast: in the frame where invalid bytes appear, before the message ends', async () => {
  // Autobahn 6.4.1 shape: valid text, then a fragment with an impossible sequence; the rest never comes.
  const stream = Buffer.concat([
    m({ opcode: 1, fin: false, payload: Buffer.from('κόσμε') }),
    m({ opcode: 0, fin: false, payload: Uint8Array.from([0xf4, 0x90]) }),
  ]);
  for (const path of ['fused', 'separate'] as DecodePath[]) {
    const { error } = await decode([stream], server, path);
    // Had validation waited for FIN, the input would have ended first (1006).
    assert.is(error?.closeCode, 1007);
  }
});

test('maxPayload on the whole message → 1009 before the excess is buffered', async () => {
  const options: DecoderOptions = { role: 'server', maxPayload: 100 };
  await expectMessages(m({ opcode: 2, payload: Buffer.alloc(100, 1) }), [{ type: 'binary', data: Buffer.alloc(100, 1) }], options);
  await expectClose(m({ opcode: 2, payload: Buffer.alloc(101) }), 1009, 'WS_ERR_MESSAGE_TOO_BIG', options);
  const fragmented = Buffer.concat([m({ opcode: 1, fin: false, payload: 'a'.repeat(60) }), m({ opcode: 0, payload: 'b'.repeat(41) })]);
  await expectClose(fragmented, 1009, 'WS_ERR_MESSAGE_TOO_BIG', options);
});

test('maxPayload: an announced 1 GiB frame fails after the first piece over the limit', async () => {
  const head = m({ opcode: 2, announcedLength: 2 ** 30, lengthBits: 64 });
  const chunks = [head, Buffer.alloc(65536), Buffer.alloc(65536)];
  const { error } = await decode(chunks, { role: 'server', maxPayload: 100_000 });
  assert.is(error?.closeCode, 1009);
});

test('a flood of tiny fragments hits the fragment limit → 1009', async () => {
  const options: DecoderOptions = { role: 'server', maxFragments: 1000 };
  const zero = m({ opcode: 0, fin: false });
  const flood = Buffer.concat([m({ opcode: 2, fin: false }), ...Array.from({ length: 1000 }, () => zero)]);
  await expectClose(flood, 1009, 'WS_ERR_TOO_MANY_FRAGMENTS', options);
  const fits = Buffer.concat([m({ opcode: 2, fin: false, payload: 'a' }), ...Array.from({ length: 998 }, () => m({ opcode: 0, fin: false, payload: 'b' })), m({ opcode: 0, payload: 'c' })]);
  const { messages, error } = await decode([fits], options);
  assert.is(error, null);
  assert.is((messages[0] as { data: Buffer }).data.length, 1000);
});

test('default limits pass 4 MiB sent as 65,536 fragments of 64 bytes', async () => {
  const fragments: Buffer[] = [];
  for (let i = 0; i < 65536; i++) {
    fragments.push(frame({ opcode: i === 0 ? 2 : 0, fin: i === 65535, payload: Buffer.alloc(64, i & 0xff), mask: MASK }));
  }
  const { messages, error } = await decode(rechunk(Buffer.concat(fragments), [65536]), server);
  assert.is(error, null);
  const data = (messages[0] as { data: Buffer }).data;
  assert.is(data.length, 4 * 1024 * 1024);
  assert.is(data[64 * 300], 300 & 0xff);
});

test('close frames: empty, code only, code + reason', async () => {
  await expectMessages(
    Buffer.concat([m({ opcode: 8 }), m({ opcode: 8, payload: Uint8Array.from([0x03, 0xe8]) }), m({ opcode: 8, payload: Buffer.concat([Buffer.from([0x0f, 0xa0]), Buffer.from('bye ✓')]) })]),
    [{ type: 'close', reason: '' }, { type: 'close', code: 1000, reason: '' }, { type: 'close', code: 4000, reason: 'bye ✓' }],
  );
});

test('close frames: 1-byte payload → 1002', async () => {
  await expectClose(m({ opcode: 8, payload: Uint8Array.from([0x03]) }), 1002, 'WS_ERR_INVALID_CLOSE_FRAME');
});

test('close frames: codes outside 1000-1003, 1007-1014, 3000-4999 → 1002', async () => {
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535]) {
    await expectClose(m({ opcode: 8, payload: Uint8Array.from([code >> 8, code & 0xff]) }), 1002, 'WS_ERR_INVALID_CLOSE_CODE');
  }
  for (const code of [1000, 1003, 1007, 1014, 3000, 4999]) {
    await expectMessages(m({ opcode: 8, payload: Uint8Array.from([code >> 8, code & 0xff]) }), [{ type: 'close', code, reason: '' }]);
  }
});

test('close frames: a reason that is not UTF-8 → 1007', async () => {
  await expectClose(m({ opcode: 8, payload: Uint8Array.from([0x03, 0xe8, 0xff, 0xfe]) }), 1007, 'WS_ERR_INVALID_UTF8');
});

test('a control frame split across chunks is delivered whole', async () => {
  await expectMessages(m({ opcode: 9, payload: Buffer.alloc(125, 9) }), [{ type: 'ping', data: Buffer.alloc(125, 9) }]);
});

test.run();
