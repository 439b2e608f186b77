/**
 * Without context takeover (RFC 7692 §7.1.1) the stages borrow zlib engines per message
 * from a pool: many connections share a few engines, a message keeps its engine across
 * jobs, no engine serves two messages at once, and a failed or abandoned one never goes
 * back. Compressed bytes stay identical to ws's and to a fresh zlib stream's.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { constants, deflateRawSync } from 'node:zlib';
import { DeflateCore, InflateCore, ZlibEnginePool, ZlibLimiter, type EngineSpec, RSV1, type MessagePart } from '../../src/transforms/index.js';
import type { EngineListener, ZlibEngine } from '../../src/transforms/deflate/zlib-engine.js';
import { jsonText, referenceInflate, settled } from './helpers.js';

const INFLATE: EngineSpec = { kind: 'inflate', windowBits: 15 };
const DEFLATE: EngineSpec = { kind: 'deflate', windowBits: 15, level: -1, memLevel: 8 };

/** A pool that fails the test if it lends an engine that is already lent. */
class WatchedPool extends ZlibEnginePool {
  private readonly lent = new Set<ZlibEngine>();

  override borrow(spec: EngineSpec, listener: EngineListener): ZlibEngine {
    const engine = super.borrow(spec, listener);
    assert.not.ok(this.lent.has(engine), 'an engine was lent to two messages at once');
    this.lent.add(engine);
    return engine;
  }

  override giveBack(spec: EngineSpec, engine: ZlibEngine): void {
    assert.ok(this.lent.delete(engine), 'an engine came back that was not lent');
    super.giveBack(spec, engine);
  }

  /** Engines lent and not given back (held by a message, or closed by their stage). */
  get outstanding(): number {
    return this.lent.size;
  }
}

/** A sink that keeps what a core passes on. */
function collector(): { parts: MessagePart[]; sink: { accept(part: MessagePart): void } } {
  const parts: MessagePart[] = [];
  return { parts, sink: { accept: (part) => void parts.push(part) } };
}

const joined = (parts: readonly MessagePart[]) => Buffer.concat(parts.map((part) => part.data));

/** What a compressor without context sends for `data` (RFC 7692 §7.2.1: sync flush, tail removed). */
function compressAlone(data: Buffer): Buffer {
  const out = deflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - 4);
}

const data = (length: number, seed: number) => Buffer.from(jsonText(length, seed));

/** The part of ws's (untyped, unexported) PerMessageDeflate class used here. */
interface WsPerMessageDeflate {
  accept(configurations: Array<Record<string, true[]>>): unknown;
  compress(data: Buffer, fin: boolean, callback: (error: Error | null, result?: Buffer) => void): void;
  decompress(data: Buffer, fin: boolean, callback: (error: Error | null, result?: Buffer) => void): void;
  cleanup(): void;
}
type WsPerMessageDeflateClass = new (options: { threshold?: number; isServer?: boolean }) => WsPerMessageDeflate;
const require = createRequire(join(process.cwd(), 'package.json'));
const PerMessageDeflate = require(join(require.resolve('ws'), '..', 'lib', 'permessage-deflate.js')) as WsPerMessageDeflateClass;
const wsCall = (run: (callback: (error: Error | null, result?: Buffer) => void) => void) =>
  new Promise<Buffer>((resolve, reject) => run((error, result) => (error ? reject(error) : resolve(result!))));

test('200 connections without context takeover share at most pool-size engines; bytes match ws', async () => {
  const limiter = new ZlibLimiter(8);
  const pool = new WatchedPool(limiter.concurrency);
  const payloads = Array.from({ length: 12 }, (_, i) => data(2000 + i * 1500, 40 + i));
  // ws, both directions without context takeover, as the peer server.
  const wsPeer = () => {
    const peer = new PerMessageDeflate({ threshold: 0, isServer: true });
    peer.accept([{ server_no_context_takeover: [true], client_no_context_takeover: [true] }]);
    return peer;
  };
  const peer = wsPeer();
  const fromWs: Buffer[] = [];
  for (const payload of payloads) fromWs.push(await wsCall((callback) => peer.compress(payload, true, callback)));

  const options = { noContextTakeover: true, enginePool: pool, limiter, threshold: 0 };
  const connection = async (index: number) => {
    const inflated = collector();
    const deflated = collector();
    const inflate = new InflateCore(options, inflated.sink);
    const deflate = new DeflateCore(options, deflated.sink);
    // A ws instance runs one zlib call at a time: one per connection, as ws has.
    const connectionPeer = wsPeer();
    for (let k = 0; k < 3; k++) {
      const i = (index + k * 5) % payloads.length;
      inflated.parts.length = 0;
      deflated.parts.length = 0;
      // Both directions at once, as a connection echoing.
      inflate.accept({ kind: 'binary', rsv: RSV1, data: fromWs[i]!, last: true });
      deflate.accept({ kind: 'binary', rsv: 0, data: payloads[i]!, last: true });
      assert.is(await settled(inflate), null);
      assert.is(await settled(deflate), null);
      assert.ok(joined(inflated.parts).equals(payloads[i]!), `#${index}.${k}: we inflate ws's bytes`);
      const ours = joined(deflated.parts);
      // Node's zlib stream calls deflate again when a write's output ends exactly at the end
      // of its 16 KiB output buffer; zlib then adds one more empty stored block (00 00 ff ff,
      // then 00 once the tail is stripped). Where that boundary falls depends on which pooled
      // engine a message got, so under load it happens to some messages (ws does the same).
      // It is valid DEFLATE; anything else must be ws's bytes exactly.
      const extraEmptyBlock = Buffer.concat([fromWs[i]!, Buffer.from([0x00, 0x00, 0xff, 0xff, 0x00])]);
      assert.ok(ours.equals(fromWs[i]!) || ours.equals(extraEmptyBlock), `#${index}.${k}: our compressed bytes are ws's`);
      const back = await wsCall((callback) => connectionPeer.decompress(ours, true, callback));
      assert.ok(back.equals(payloads[i]!), `#${index}.${k}: ws inflates ours`);
    }
    connectionPeer.cleanup();
    inflate.finish();
    deflate.finish();
  };
  await Promise.all(Array.from({ length: 200 }, (_, index) => connection(index)));
  peer.cleanup();

  for (const spec of [INFLATE, DEFLATE]) {
    const created = pool.createdCount(spec);
    assert.ok(created >= 1 && created <= limiter.concurrency, `${spec.kind}: ${created} engines for 200 connections`);
    assert.is(pool.idleCount(spec), created, `${spec.kind}: every engine came back`);
  }
  assert.is(pool.outstanding, 0);
  pool.clear();
  assert.is(pool.idleCount(), 0);
});

test('with context takeover a stage keeps its own engine and never touches the pool', async () => {
  const pool = new ZlibEnginePool(8);
  const out = collector();
  const deflate = new DeflateCore({ enginePool: pool, threshold: 0 }, out.sink);
  const inflate = new InflateCore({ enginePool: pool }, collector().sink);
  deflate.accept({ kind: 'text', rsv: 0, data: data(3000, 1), last: true });
  inflate.accept({ kind: 'text', rsv: RSV1, data: compressAlone(data(3000, 1)), last: true });
  assert.is(await settled(deflate), null);
  assert.is(await settled(inflate), null);
  assert.is(pool.createdCount(), 0);
  deflate.finish();
  inflate.finish();
});

test('a fragmented message keeps its engine across jobs; another message never gets it meanwhile', async () => {
  const limiter = new ZlibLimiter(1);
  const pool = new WatchedPool(1);
  const options = { noContextTakeover: true, enginePool: pool, limiter, threshold: 0 };
  const messageA = data(60_000, 2);
  const messageB = data(50_000, 3);

  // Inflating: A's first half, then B's, then both ends, interleaved.
  const [a, b] = [collector(), collector()];
  const inflateA = new InflateCore(options, a.sink);
  const inflateB = new InflateCore(options, b.sink);
  const [zA, zB] = [compressAlone(messageA), compressAlone(messageB)];
  inflateA.accept({ kind: 'binary', rsv: RSV1, data: zA.subarray(0, zA.length >> 1), last: false });
  assert.is(await settled(inflateA), null);
  assert.is(pool.outstanding, 1, 'A holds its engine between jobs');
  inflateB.accept({ kind: 'binary', rsv: RSV1, data: zB.subarray(0, zB.length >> 1), last: false });
  assert.is(await settled(inflateB), null);
  assert.is(pool.createdCount(INFLATE), 2, 'B got an engine of its own');
  inflateA.accept({ kind: 'binary', rsv: RSV1, data: zA.subarray(zA.length >> 1), last: true });
  inflateB.accept({ kind: 'binary', rsv: RSV1, data: zB.subarray(zB.length >> 1), last: true });
  assert.is(await settled(inflateA), null);
  assert.is(await settled(inflateB), null);
  assert.ok(joined(a.parts).equals(messageA));
  assert.ok(joined(b.parts).equals(messageB));
  assert.is(pool.idleCount(INFLATE), 1, 'one kept (maxIdle 1), the other closed');

  // Compressing: the same interleaving.
  const [c, d] = [collector(), collector()];
  const deflateA = new DeflateCore(options, c.sink);
  const deflateB = new DeflateCore(options, d.sink);
  deflateA.accept({ kind: 'binary', rsv: 0, data: messageA.subarray(0, 30_000), last: false });
  assert.is(await settled(deflateA), null);
  deflateB.accept({ kind: 'binary', rsv: 0, data: messageB.subarray(0, 20_000), last: false });
  assert.is(await settled(deflateB), null);
  assert.is(pool.createdCount(DEFLATE), 2);
  deflateA.accept({ kind: 'binary', rsv: 0, data: messageA.subarray(30_000), last: true });
  deflateB.accept({ kind: 'binary', rsv: 0, data: messageB.subarray(20_000), last: true });
  assert.is(await settled(deflateA), null);
  assert.is(await settled(deflateB), null);
  // Each inflates alone, with an empty window: no context from the other message.
  assert.ok(referenceInflate(joined(c.parts)).equals(messageA));
  assert.ok(referenceInflate(joined(d.parts)).equals(messageB));

  // The engine kept is reused, reset: the next message compresses as on a fresh stream.
  c.parts.length = 0;
  deflateA.accept({ kind: 'binary', rsv: 0, data: messageB, last: true });
  assert.is(await settled(deflateA), null);
  assert.ok(joined(c.parts).equals(compressAlone(messageB)));
  assert.is(pool.createdCount(DEFLATE), 2);
  assert.is(pool.outstanding, 0);
  for (const core of [inflateA, inflateB, deflateA, deflateB]) core.finish();
});

test('a connection destroyed mid-message gives nothing back; the next borrower is correct', async () => {
  const pool = new WatchedPool(8);
  const options = { noContextTakeover: true, enginePool: pool, threshold: 0 };
  const message = data(80_000, 4);
  const compressed = compressAlone(message);

  // Destroyed between two jobs of a message, then with a write in flight.
  for (const inFlight of [false, true]) {
    const inflate = new InflateCore(options, collector().sink);
    const deflate = new DeflateCore(options, collector().sink);
    inflate.accept({ kind: 'text', rsv: RSV1, data: compressed.subarray(0, 5000), last: false });
    deflate.accept({ kind: 'text', rsv: 0, data: message.subarray(0, 5000), last: false });
    if (!inFlight) {
      assert.is(await settled(inflate), null);
      assert.is(await settled(deflate), null);
    }
    inflate.destroy();
    deflate.destroy();
  }
  assert.is(pool.idleCount(), 0, 'no abandoned engine went back');
  await new Promise((resolve) => setTimeout(resolve, 50));

  for (let round = 0; round < 2; round++) {
    const [inflated, deflated] = [collector(), collector()];
    const inflate = new InflateCore(options, inflated.sink);
    const deflate = new DeflateCore(options, deflated.sink);
    inflate.accept({ kind: 'text', rsv: RSV1, data: compressed, last: true });
    deflate.accept({ kind: 'text', rsv: 0, data: message, last: true });
    assert.is(await settled(inflate), null);
    assert.is(await settled(deflate), null);
    assert.ok(joined(inflated.parts).equals(message));
    assert.ok(joined(deflated.parts).equals(compressed), 'compressed as by a fresh stream');
    inflate.finish();
    deflate.finish();
  }
  assert.is(pool.idleCount(INFLATE), 1);
  assert.is(pool.idleCount(DEFLATE), 1);
});

test('an engine that saw corrupt data (1007) or a bomb (1009) is closed, not returned', async () => {
  const pool = new WatchedPool(8);
  const message = data(20_000, 5);
  const compressed = compressAlone(message);
  const corrupt = new InflateCore({ noContextTakeover: true, enginePool: pool }, collector().sink);
  corrupt.accept({ kind: 'binary', rsv: RSV1, data: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00]), last: true });
  assert.is((await settled(corrupt) as { closeCode?: number } | null)?.closeCode, 1007);
  const bomb = new InflateCore({ noContextTakeover: true, enginePool: pool, maxPayload: 1000 }, collector().sink);
  bomb.accept({ kind: 'binary', rsv: RSV1, data: compressed, last: true });
  assert.is((await settled(bomb) as { closeCode?: number } | null)?.closeCode, 1009);
  assert.is(pool.createdCount(INFLATE), 2);
  assert.is(pool.idleCount(INFLATE), 0);

  const out = collector();
  const next = new InflateCore({ noContextTakeover: true, enginePool: pool }, out.sink);
  next.accept({ kind: 'binary', rsv: RSV1, data: compressed, last: true });
  assert.is(await settled(next), null);
  assert.ok(joined(out.parts).equals(message));
  assert.is(pool.idleCount(INFLATE), 1);
});

test('a message whose empty final part comes alone still gives its engine back, reset', async () => {
  const pool = new WatchedPool(8);
  const out = collector();
  const deflate = new DeflateCore({ noContextTakeover: true, enginePool: pool, threshold: 0 }, out.sink);
  const message = data(5000, 6);
  deflate.accept({ kind: 'text', rsv: 0, data: message, last: false });
  assert.is(await settled(deflate), null);
  deflate.accept({ kind: 'text', rsv: 0, data: Buffer.alloc(0), last: true });
  assert.is(await settled(deflate), null);
  assert.is(pool.outstanding, 0);
  assert.ok(referenceInflate(joined(out.parts)).equals(message));
  // RFC 7692 §7.1.1: the next message must not refer to the previous one.
  out.parts.length = 0;
  deflate.accept({ kind: 'text', rsv: 0, data: message, last: true });
  assert.is(await settled(deflate), null);
  assert.ok(joined(out.parts).equals(compressAlone(message)));
  deflate.finish();
});

test('BFINAL (RFC 7692 §7.2.3.4) with pooled engines: the ended engine is closed, the rest reused', async () => {
  const pool = new WatchedPool(8);
  const out = collector();
  const inflate = new InflateCore({ noContextTakeover: true, enginePool: pool }, out.sink);
  const final = Buffer.from('f348cdc9c9070000', 'hex');
  for (const payload of [final, final, Buffer.from('f248cdc9c90700', 'hex')]) {
    inflate.accept({ kind: 'text', rsv: RSV1, data: payload, last: true });
    assert.is(await settled(inflate), null);
  }
  assert.equal(out.parts.map((part) => part.data.toString()), ['Hello', 'Hello', 'Hello']);
  // Each BFINAL ended an engine (closed); the one that inflated the rest went back.
  assert.is(pool.idleCount(INFLATE), 1);
  inflate.finish();
});

test('idle engines are capped per spec; engines beyond the cap are closed', async () => {
  const pool = new WatchedPool(2);
  const cores = Array.from({ length: 5 }, () => new DeflateCore({ noContextTakeover: true, enginePool: pool, threshold: 0 }, collector().sink));
  for (const core of cores) core.accept({ kind: 'binary', rsv: 0, data: data(2000, 7), last: false });
  for (const core of cores) assert.is(await settled(core), null);
  assert.is(pool.createdCount(DEFLATE), 5, 'five messages in progress hold five engines');
  for (const core of cores) core.accept({ kind: 'binary', rsv: 0, data: data(2000, 8), last: true });
  for (const core of cores) assert.is(await settled(core), null);
  assert.is(pool.idleCount(DEFLATE), 2);
  assert.is(pool.idleCount({ ...DEFLATE, level: 9 }), 0, 'another level is another key');
  for (const core of cores) core.finish();
});

test.run();
