import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FrameSlab } from '../src/transforms/encode/frame-slab.js';

test('frames carved from a slab never overlap, and each keeps its bytes', () => {
  const slab = new FrameSlab();
  const frames = Array.from({ length: 2000 }, (_, i) => {
    const frame = slab.take(1 + (i % 700));
    frame.fill(i & 0xff);
    return frame;
  });
  frames.forEach((frame, i) => {
    assert.is(frame.length, 1 + (i % 700));
    assert.ok(frame.every((byte) => byte === (i & 0xff)), `frame ${i} intact`);
  });
});

test('frames start 8-byte aligned; large frames get a buffer of their own', () => {
  const slab = new FrameSlab();
  for (let i = 0; i < 100; i++) assert.is(slab.take(13).byteOffset % 8, 0);
  const large = slab.take(100_000);
  assert.is(large.buffer.byteLength, 100_000);
});

test.run();
