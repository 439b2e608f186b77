/** The process-wide zlib job queue: bounded concurrency, FIFO order, each connection in order. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeflateCore, InflateCore, ZlibLimiter, RSV1, type MessagePart } from '../../src/transforms/index.js';
import { jsonText, referenceInflate, settled } from './helpers.js';

/** Wraps `limiter.run` to record the most jobs holding a slot at once. */
function watch(limiter: ZlibLimiter): { peak: number; jobs: number } {
  const stats = { peak: 0, jobs: 0 };
  const run = limiter.run.bind(limiter);
  limiter.run = (job) =>
    run((release) => {
      stats.jobs++;
      stats.peak = Math.max(stats.peak, limiter.active);
      job(release);
    });
  return stats;
}

test('jobs run at most `concurrency` at a time, in FIFO order; a double release counts once', async () => {
  const limiter = new ZlibLimiter(2);
  const started: number[] = [];
  const releases: Array<() => void> = [];
  for (let i = 0; i < 5; i++) {
    limiter.run((release) => {
      started.push(i);
      releases.push(release);
    });
  }
  assert.equal(started, [0, 1]);
  assert.is(limiter.waiting, 3);
  releases[0]!();
  releases[0]!();
  assert.equal(started, [0, 1, 2]);
  assert.is(limiter.active, 2);
  // A job that releases synchronously hands its slot straight on.
  limiter.run((release) => {
    started.push(9);
    release();
  });
  assert.is(limiter.waiting, 3);
  limiter.setConcurrency(5);
  assert.equal(started, [0, 1, 2, 3, 4, 9]);
  assert.is(limiter.waiting, 0);
  assert.is(limiter.active, 4);
  assert.throws(() => new ZlibLimiter(0), RangeError);
});

test('many compressing connections share a bounded number of slots, each stays in order', async () => {
  const limiter = new ZlibLimiter(3);
  const stats = watch(limiter);
  const connections = 40;
  const outputs: MessagePart[][] = [];
  const cores: DeflateCore[] = [];
  for (let c = 0; c < connections; c++) {
    const out: MessagePart[] = [];
    outputs.push(out);
    const core = new DeflateCore({ limiter, threshold: 0, noContextTakeover: true }, { accept: (part) => out.push(part) });
    cores.push(core);
    for (let m = 0; m < 5; m++) core.accept({ kind: 'text', rsv: 0, data: Buffer.from(`${c}:${m}:` + jsonText(20_000, c * 10 + m)), last: true });
  }
  const errors = await Promise.all(cores.map((core) => settled(core)));
  assert.ok(errors.every((error) => error === null));
  assert.is(stats.peak, 3, `peak ${stats.peak}`);
  assert.is(limiter.active, 0);
  outputs.forEach((out, c) => {
    assert.equal(out.map((part) => referenceInflate(part.data).toString().split(':').slice(0, 2).join(':')), [0, 1, 2, 3, 4].map((m) => `${c}:${m}`));
  });
  for (const core of cores) core.finish();
});

test('inflating connections use the limiter too, and a stopped stage gives its slot back', async () => {
  const limiter = new ZlibLimiter(1);
  const stats = watch(limiter);
  const bad = new InflateCore({ limiter }, { accept: () => {} });
  const good = new InflateCore({ limiter }, { accept: () => {} });
  bad.accept({ kind: 'binary', rsv: RSV1, data: Buffer.from([0xff, 0xff]), last: true });
  good.accept({ kind: 'text', rsv: RSV1, data: Buffer.from('f248cdc9c90700', 'hex'), last: true });
  assert.is((await settled(bad))?.closeCode, 1007);
  assert.is(await settled(good), null);
  assert.is(stats.peak, 1);
  assert.is(limiter.active, 0);
  // A stage closed while its job waits for a slot releases it when the slot comes.
  const blocker: Array<() => void> = [];
  limiter.run((release) => blocker.push(release));
  const closed = new InflateCore({ limiter }, { accept: () => {} });
  closed.accept({ kind: 'text', rsv: RSV1, data: Buffer.from('f248cdc9c90700', 'hex'), last: true });
  closed.close();
  blocker[0]!();
  assert.is(limiter.active, 0);
  assert.is(limiter.waiting, 0);
});

test.run();
