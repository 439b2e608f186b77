/**
 * Context takeover (RFC 7692 §7.1.1, §7.2.3.2) in every combination of the two directions,
 * mapped from the agreed parameters by deflateStageOptions, plus the RFC's own examples.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deflateStageOptions, type AgreedDeflate, type Message, type Role } from '../../src/transforms/index.js';
import { decodeAll, encodeAll, jsonText, parseFrames } from './helpers.js';

const peerOf = (role: Role): Role => (role === 'server' ? 'client' : 'server');

test('RFC 7692 §7.2.3.1-2: "Hello" compresses to the RFC bytes, and shorter the second time', async () => {
  const hello: Message = { type: 'text', data: 'Hello' };
  const taking = await encodeAll([hello, hello], { role: 'server', deflate: { threshold: 0 } });
  const [first, second] = parseFrames(taking.bytes);
  assert.is(first!.payload.toString('hex'), 'f248cdc9c90700');
  assert.is(second!.payload.toString('hex'), 'f200110000');
  const resetting = await encodeAll([hello, hello], { role: 'server', deflate: { threshold: 0, noContextTakeover: true } });
  assert.equal(parseFrames(resetting.bytes).map((frame) => frame.payload.toString('hex')), ['f248cdc9c90700', 'f248cdc9c90700']);
});

test('every takeover combination: compressed sizes follow the agreement, messages decode', async () => {
  const message: Message = { type: 'text', data: jsonText(4000, 9) };
  const other: Message = { type: 'binary', data: Buffer.from(jsonText(3000, 10)) };
  for (const serverNoContextTakeover of [false, true]) {
    for (const clientNoContextTakeover of [false, true]) {
      const agreed: AgreedDeflate = {
        serverNoContextTakeover,
        clientNoContextTakeover,
        serverMaxWindowBits: 15,
        clientMaxWindowBits: 15,
        threshold: 0,
      };
      for (const sender of ['server', 'client'] as const) {
        const label = `server_no_context_takeover=${serverNoContextTakeover} client_no_context_takeover=${clientNoContextTakeover} ${sender} sends`;
        const noTakeover = sender === 'server' ? serverNoContextTakeover : clientNoContextTakeover;
        // An uncompressed message in between does not touch the window (RFC 7692 §7.2.3.2).
        const inputs = [message, other, { kind: 'text' as const, rsv: 0, compress: false, data: Buffer.from('plain'), last: true }, message];
        const encoded = await encodeAll(inputs, { role: sender, deflate: deflateStageOptions(agreed, sender).deflate });
        assert.is(encoded.error, null);
        const frames = parseFrames(encoded.bytes);
        assert.equal(frames.map((frame) => frame.rsv1), [true, true, false, true], label);
        const [first, , , again] = frames;
        if (noTakeover) assert.equal(again!.payload, first!.payload, `${label}: identical without takeover`);
        else assert.ok(again!.payload.length < first!.payload.length / 4, `${label}: ${again!.payload.length} < ${first!.payload.length} / 4 with takeover`);
        const receiver = peerOf(sender);
        const decoded = await decodeAll([Buffer.from(encoded.bytes)], { role: receiver, inflate: deflateStageOptions(agreed, receiver).inflate });
        assert.is(decoded.error, null, `${label}: ${decoded.error?.message}`);
        assert.equal(decoded.messages, [message, other, { type: 'text', data: 'plain' }, message], label);
      }
    }
  }
});

test('small windows: every negotiable size round-trips (8 inflates with 9)', async () => {
  const messages: Message[] = [1, 2, 3].map((seed) => ({ type: 'text', data: jsonText(20_000, seed) }));
  for (const bits of [9, 10, 12, 15]) {
    const encoded = await encodeAll(messages, { role: 'server', deflate: { windowBits: bits, threshold: 0 } });
    for (const inflateBits of [8, bits, 15]) {
      if (inflateBits < bits) continue;
      const decoded = await decodeAll([encoded.bytes], { role: 'client', inflate: { windowBits: inflateBits } });
      assert.is(decoded.error, null, `deflate ${bits} / inflate ${inflateBits}: ${decoded.error?.message}`);
      assert.equal(decoded.messages, messages);
    }
  }
});

test('a window larger than the agreed one is refused as invalid data (1007), not misread', async () => {
  // Back-references up to 32 KiB away, inflated with a 512-byte window.
  const repeated = jsonText(20_000, 4);
  const encoded = await encodeAll([{ type: 'text', data: repeated + repeated }], { role: 'server', deflate: { threshold: 0 } });
  const decoded = await decodeAll([encoded.bytes], { role: 'client', inflate: { windowBits: 9 } });
  assert.is(decoded.error?.closeCode, 1007);
  assert.is(decoded.error?.code, 'WS_ERR_INVALID_COMPRESSED_DATA');
});

test.run();
