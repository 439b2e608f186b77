/**
 * Records leave the asynchronous stages in the order they arrived: a control or an
 * uncompressed message behind a compressed one waits for it; a control frame between the
 * fragments of a compressed message is delivered when it arrives (RFC 6455 §5.4).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { constants, deflateRawSync } from 'node:zlib';
import { InflateCore, type Message, RSV1, type MessagePart } from '../../src/transforms/index.js';
import { frame } from '../helpers/frames.js';
import { chunksOf, decodeAll, jsonText, settled } from './helpers.js';

function syncCompressed(data: string | Buffer): Buffer {
  const out = deflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - 4);
}

const big = jsonText(3 << 20, 21);

test('a ping and an uncompressed message behind a compressed message leave after it', async () => {
  const bytes = Buffer.concat([
    frame({ opcode: 1, rsv1: true, payload: syncCompressed(big) }),
    frame({ opcode: 9, payload: 'after' }),
    frame({ opcode: 2, payload: 'plain' }),
    frame({ opcode: 1, rsv1: true, payload: syncCompressed('second') }),
    frame({ opcode: 10, payload: 'last' }),
  ]);
  for (const chunks of [[bytes], chunksOf(bytes, 1000)]) {
    const { messages, error } = await decodeAll(chunks, { role: 'client', inflate: {} });
    assert.is(error, null, error?.message);
    assert.equal(messages.map((message) => message.type), ['text', 'ping', 'binary', 'text', 'pong']);
    assert.ok((messages[0] as { data: string }).data === big);
    assert.equal(messages.slice(1), [
      { type: 'ping', data: Buffer.from('after') },
      { type: 'binary', data: Buffer.from('plain') },
      { type: 'text', data: 'second' },
      { type: 'pong', data: Buffer.from('last') },
    ] satisfies Message[]);
  }
});

test('a ping between the fragments of a compressed message arrives before the message', async () => {
  const payload = syncCompressed(big);
  const half = payload.length >> 1;
  const bytes = Buffer.concat([
    frame({ opcode: 1, rsv1: true, fin: false, payload: payload.subarray(0, half) }),
    frame({ opcode: 9, payload: 'between' }),
    frame({ opcode: 0, payload: payload.subarray(half) }),
  ]);
  const { messages, error } = await decodeAll([bytes], { role: 'client', inflate: {} });
  assert.is(error, null);
  assert.equal(messages.map((message) => message.type), ['ping', 'text']);
  assert.ok((messages[1] as { data: string }).data === big);
});

test('at the part level: inflated output of a message leaves before a control queued behind it', async () => {
  const out: MessagePart[] = [];
  const core = new InflateCore({}, { accept: (part) => out.push(part) });
  const payload = syncCompressed(big);
  core.accept({ kind: 'text', rsv: RSV1, data: payload.subarray(0, 1000), last: false });
  core.accept({ kind: 'ping', rsv: 0, data: Buffer.from('p'), last: true });
  core.accept({ kind: 'text', rsv: RSV1, data: payload.subarray(1000), last: true });
  assert.is(await settled(core), null);
  const ping = out.findIndex((part) => part.kind === 'ping');
  assert.ok(ping > 0, 'the first fragment inflated to output that left before the ping');
  assert.ok(out.every((part) => (part.rsv & RSV1) === 0));
  assert.equal(out.filter((part) => part.last).map((part) => part.kind), ['ping', 'text']);
  const text = Buffer.concat(out.filter((part) => part.kind === 'text').map((part) => part.data)).toString();
  assert.ok(text === big);
  core.finish();
});

test('uncompressed traffic passes through synchronously while nothing is pending', () => {
  const out: MessagePart[] = [];
  const core = new InflateCore({}, { accept: (part) => out.push(part) });
  const part: MessagePart = { kind: 'binary', rsv: 0, data: Buffer.from('x'), last: true };
  core.accept(part);
  assert.is(out[0], part, 'the same record, no copy, no delay');
  core.finish();
});

test.run();
