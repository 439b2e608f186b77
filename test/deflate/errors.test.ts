/**
 * How the compressed decode chain fails: RSV1 where RFC 7692 §6.1 forbids it (1002),
 * corrupt DEFLATE data (1007), a decompression bomb and oversized messages (1009, within
 * bounded memory), errors thrown downstream inside zlib callbacks, and use after an error.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deflateRawSync } from 'node:zlib';
import { InflateCore, RSV1, type MessagePart } from '../../src/transforms/index.js';
import { frame } from '../helpers/frames.js';
import { chunksOf, decodeAll, settled, zeroBomb } from './helpers.js';

/** deflateRawSync ends with a final block; a sync-flushed stream is what peers send. */
function syncCompressed(data: string | Buffer): Buffer {
  const out = deflateRawSync(data, { finishFlush: 2 /* Z_SYNC_FLUSH */ });
  return out.subarray(0, out.length - 4);
}

test('RSV1 on a continuation or a control frame → 1002, also with compression negotiated', async () => {
  const first = frame({ opcode: 1, rsv1: true, fin: false, payload: syncCompressed('Hello') });
  const cases = [
    Buffer.concat([first, frame({ opcode: 0, rsv1: true, payload: Buffer.from([0]) })]),
    frame({ opcode: 9, rsv1: true, payload: 'ping' }),
    Buffer.concat([first, frame({ opcode: 10, rsv1: true }), frame({ opcode: 0, payload: Buffer.from([0]) })]),
  ];
  for (const bytes of cases) {
    const { error } = await decodeAll([bytes], { role: 'client', inflate: {} });
    assert.is(error?.closeCode, 1002, error?.message);
    assert.is(error?.code, 'WS_ERR_UNEXPECTED_RSV_1');
  }
  // Without the extension RSV1 is refused outright.
  const { error } = await decodeAll([frame({ opcode: 1, rsv1: true, payload: syncCompressed('Hello') })], { role: 'client' });
  assert.is(error?.closeCode, 1002);
});

test('corrupt compressed data → 1007', async () => {
  for (const payload of [Buffer.from([0xff, 0xff, 0xff]), Buffer.from([0x07]), Buffer.from('not deflate at all')]) {
    const { error, messages } = await decodeAll([frame({ opcode: 2, rsv1: true, payload })], { role: 'client', inflate: {} });
    assert.is(error?.closeCode, 1007, `${payload.toString('hex')}: ${error?.message}`);
    assert.is(error?.code, 'WS_ERR_INVALID_COMPRESSED_DATA');
    assert.is(messages.length, 0);
  }
});

test('invalid UTF-8 inside a compressed text message → 1007, reported through whenSettled', async () => {
  const bad = Buffer.from([0x68, 0x69, 0xc3, 0x28]);
  const { error } = await decodeAll([frame({ opcode: 1, rsv1: true, payload: syncCompressed(bad) })], { role: 'client', inflate: {} });
  assert.is(error?.closeCode, 1007);
  assert.is(error?.code, 'WS_ERR_INVALID_UTF8');
});

test('an inflated message over maxPayload → 1009, even when its compressed form is tiny', async () => {
  const payload = syncCompressed(Buffer.alloc(2 << 20, 0x61));
  const { error } = await decodeAll([frame({ opcode: 2, rsv1: true, payload })], { role: 'client', inflate: {}, maxPayload: 1 << 20 });
  assert.is(error?.closeCode, 1009);
  assert.is(error?.code, 'WS_ERR_MESSAGE_TOO_BIG');
  // Exactly at the limit passes.
  const exact = await decodeAll([frame({ opcode: 2, rsv1: true, payload: syncCompressed(Buffer.alloc(1 << 20)) })], { role: 'client', inflate: {}, maxPayload: 1 << 20 });
  assert.is(exact.error, null);
  assert.is((exact.messages[0] as { data: Buffer }).data.length, 1 << 20);
});

test('a decompression bomb (1 GiB of zeros in ~1 MB) → 1009 with bounded memory', async () => {
  const bomb = await zeroBomb(1);
  assert.ok(bomb.length < 1.2e6, `bomb is ${bomb.length} bytes`);
  globalThis.gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakBuffers = before.arrayBuffers;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakBuffers = Math.max(peakBuffers, now.arrayBuffers);
  }, 2);
  const started = performance.now();
  const bytes = frame({ opcode: 2, rsv1: true, payload: bomb });
  const { error, messages } = await decodeAll(chunksOf(bytes, 64 * 1024), { role: 'client', inflate: {}, maxPayload: 16 << 20 });
  clearInterval(sampler);
  const after = process.memoryUsage();
  peakRss = Math.max(peakRss, after.rss);
  peakBuffers = Math.max(peakBuffers, after.arrayBuffers);
  assert.is(error?.closeCode, 1009, error?.message);
  assert.is(error?.code, 'WS_ERR_MESSAGE_TOO_BIG');
  assert.is(messages.length, 0);
  const mib = (bytes: number) => Math.round(bytes / 1048576);
  const grewRss = peakRss - before.rss;
  const grewBuffers = peakBuffers - before.arrayBuffers;
  assert.ok(grewBuffers < 128 << 20, `arrayBuffers grew ${mib(grewBuffers)} MiB`);
  assert.ok(grewRss < 256 << 20, `rss grew ${mib(grewRss)} MiB`);
  assert.ok(performance.now() - started < 5000, 'stopped early rather than inflating the whole GiB');
  if (process.env['DEFLATE_VERBOSE']) console.log(`bomb: rss +${mib(grewRss)} MiB, arrayBuffers +${mib(grewBuffers)} MiB, ${Math.round(performance.now() - started)} ms`);
});

test('after an error the stage throws it again; finish() refuses a half message', async () => {
  const out: MessagePart[] = [];
  const core = new InflateCore({}, { accept: (part) => out.push(part) });
  core.accept({ kind: 'binary', rsv: RSV1, data: Buffer.from([0xff, 0xff]), last: true });
  const error = await settled(core);
  assert.is(error?.closeCode, 1007);
  assert.throws(() => core.accept({ kind: 'ping', rsv: 0, data: Buffer.alloc(0), last: true }), (thrown: unknown) => thrown === error);
  assert.throws(() => core.finish(), (thrown: unknown) => thrown === error);
  assert.is(await settled(core), error);

  const half = new InflateCore({}, { accept: () => {} });
  half.accept({ kind: 'text', rsv: RSV1, data: syncCompressed('Hel'), last: false });
  assert.is(await settled(half), null);
  assert.throws(() => half.finish(), (thrown: unknown) => (thrown as { code?: string }).code === 'WS_ERR_UNEXPECTED_EOF');
  half.close();
  assert.throws(() => half.accept({ kind: 'ping', rsv: 0, data: Buffer.alloc(0), last: true }), /closed/);
});

test('an exception thrown downstream inside a zlib callback stops the stage, never escapes', async () => {
  const failure = new Error('downstream broke');
  const core = new InflateCore({}, {
    accept: () => {
      throw failure;
    },
  });
  core.accept({ kind: 'text', rsv: RSV1, data: syncCompressed('Hello'), last: true });
  assert.is(await settled(core), failure);
});

test.run();
