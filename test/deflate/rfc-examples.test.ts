/** The payloads of RFC 7692 §7.2.3, inflated by the decode chain. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { frame } from '../helpers/frames.js';
import { decodeAll } from './helpers.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

async function inflateFrames(...frames: Buffer[]) {
  const { messages, error } = await decodeAll([Buffer.concat(frames)], { role: 'client', inflate: {} });
  assert.is(error, null, error?.message);
  return messages;
}

test('§7.2.3.1: one compressed block, whole and in fragments of 3 and 4 bytes', async () => {
  assert.equal(await inflateFrames(hex('c1 07 f2 48 cd c9 c9 07 00')), [{ type: 'text', data: 'Hello' }]);
  assert.equal(await inflateFrames(hex('41 03 f2 48 cd'), hex('80 04 c9 c9 07 00')), [{ type: 'text', data: 'Hello' }]);
});

test('§7.2.3.2: the second "Hello" refers to the first through the shared window', async () => {
  assert.equal(await inflateFrames(frame({ opcode: 1, rsv1: true, payload: hex('f2 48 cd c9 c9 07 00') }), frame({ opcode: 1, rsv1: true, payload: hex('f2 00 11 00 00') })), [
    { type: 'text', data: 'Hello' },
    { type: 'text', data: 'Hello' },
  ]);
});

test('§7.2.3.3: a block with no compression', async () => {
  assert.equal(await inflateFrames(hex('c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00')), [{ type: 'text', data: 'Hello' }]);
});

test('§7.2.3.4: a block with BFINAL set, then more messages on a fresh window', async () => {
  const final = frame({ opcode: 1, rsv1: true, payload: hex('f3 48 cd c9 c9 07 00 00') });
  assert.equal(await inflateFrames(final, final, frame({ opcode: 1, rsv1: true, payload: hex('f2 48 cd c9 c9 07 00') })), [
    { type: 'text', data: 'Hello' },
    { type: 'text', data: 'Hello' },
    { type: 'text', data: 'Hello' },
  ]);
});

test('§7.2.3.5: two blocks in one message', async () => {
  assert.equal(await inflateFrames(frame({ opcode: 1, rsv1: true, payload: hex('f2 48 05 00 00 00 ff ff ca c9 c9 07 00') })), [{ type: 'text', data: 'Hello' }]);
});

test('§7.2.3.6: an empty message is the single byte 0x00', async () => {
  assert.equal(await inflateFrames(frame({ opcode: 2, rsv1: true, payload: hex('00') }), frame({ opcode: 2, rsv1: true, payload: hex('00') })), [
    { type: 'binary', data: Buffer.alloc(0) },
    { type: 'binary', data: Buffer.alloc(0) },
  ]);
});

test.run();
