/** The example frames of RFC 6455 §5.7, decoded and encoded. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEncoderCore, type Message, type OutgoingMessage } from '../src/transforms/index.js';
import { decode } from './helpers/decode.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

const examples: Array<{ name: string; bytes: Buffer; role: 'server' | 'client'; messages: Message[] }> = [
  { name: 'single-frame unmasked text', bytes: hex('81 05 48 65 6c 6c 6f'), role: 'client', messages: [{ type: 'text', data: 'Hello' }] },
  { name: 'single-frame masked text', bytes: hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'), role: 'server', messages: [{ type: 'text', data: 'Hello' }] },
  { name: 'fragmented unmasked text', bytes: hex('01 03 48 65 6c 80 02 6c 6f'), role: 'client', messages: [{ type: 'text', data: 'Hello' }] },
  { name: 'unmasked ping', bytes: hex('89 05 48 65 6c 6c 6f'), role: 'client', messages: [{ type: 'ping', data: Buffer.from('Hello') }] },
  { name: 'masked pong', bytes: hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'), role: 'server', messages: [{ type: 'pong', data: Buffer.from('Hello') }] },
  { name: '256 bytes binary, 16-bit length', bytes: Buffer.concat([hex('82 7E 0100'), Buffer.alloc(256, 0xab)]), role: 'client', messages: [{ type: 'binary', data: Buffer.alloc(256, 0xab) }] },
  { name: '64 KiB binary, 64-bit length', bytes: Buffer.concat([hex('82 7F 0000000000010000'), Buffer.alloc(65536, 0xcd)]), role: 'client', messages: [{ type: 'binary', data: Buffer.alloc(65536, 0xcd) }] },
];

for (const example of examples) {
  test(`decodes RFC 6455 §5.7: ${example.name}`, async () => {
    for (const path of ['fused', 'separate'] as const) {
      const { messages, error } = await decode([Buffer.from(example.bytes)], { role: example.role }, path);
      assert.is(error, null);
      assert.equal(messages, example.messages);
    }
  });
}

function encode(messages: OutgoingMessage[], fragmentSize?: number): Buffer {
  const out: Buffer[] = [];
  const core = createEncoderCore({ role: 'server', fragmentSize }, { accept: (chunk) => out.push(chunk) });
  for (const message of messages) core.accept(message);
  return Buffer.concat(out);
}

test('encodes the unmasked examples of RFC 6455 §5.7 byte for byte', () => {
  assert.equal(encode([{ type: 'text', data: 'Hello' }]), hex('81 05 48 65 6c 6c 6f'));
  assert.equal(encode([{ type: 'text', data: 'Hello' }], 3), hex('01 03 48 65 6c 80 02 6c 6f'));
  assert.equal(encode([{ type: 'ping', data: 'Hello' }]), hex('89 05 48 65 6c 6c 6f'));
  assert.equal(encode([{ type: 'binary', data: Buffer.alloc(256, 0xab) }]), Buffer.concat([hex('82 7E 0100'), Buffer.alloc(256, 0xab)]));
  assert.equal(encode([{ type: 'binary', data: Buffer.alloc(65536, 0xcd) }]), Buffer.concat([hex('82 7F 0000000000010000'), Buffer.alloc(65536, 0xcd)]));
});

test.run();
