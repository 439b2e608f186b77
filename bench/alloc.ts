/**
 * Heap bytes allocated per small frame by the fused codec, counted rather than timed (so
 * it is steady on a busy machine): the young generation is made large enough that no
 * garbage collection runs during a pass, and the growth of the used heap over N frames,
 * divided by N, is what one frame costs (the least of five passes, once optimized). Run with: node --expose-gc --max-semi-space-size=64
 * --import tsx bench/alloc.ts (what `npm run bench -- alloc` does).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { createDecoderCore, createEncoderCore } from '../src/transforms/index.js';

const FRAMES = 20_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

let collections = 0;
new PerformanceObserver((list) => (collections += list.getEntries().length)).observe({ entryTypes: ['gc'] });

/**
 * Heap bytes per call of `step`, over a pass with no collection (retried until one has
 * none). `prepare` makes each pass's inputs, outside the count.
 */
async function perFrame(step: (i: number) => void, prepare: () => void = () => {}): Promise<number> {
  // Warm up until the code is optimized (what a long-running server runs), then keep the
  // least of several passes without a collection: a pass may still see a deoptimization.
  for (let pass = 0; pass < 5; pass++) {
    prepare();
    for (let i = 0; i < FRAMES; i++) step(i);
  }
  let least = Infinity;
  for (let attempt = 0, counted = 0; attempt < 20 && counted < 5; attempt++) {
    prepare();
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 20)); // let the observer count that collection
    const before = collections;
    const used = getHeapStatistics().used_heap_size;
    for (let i = 0; i < FRAMES; i++) step(i);
    const grown = getHeapStatistics().used_heap_size - used;
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (collections !== before) continue;
    counted++;
    least = Math.min(least, grown / FRAMES);
  }
  if (least === Infinity) throw new Error('every pass had a collection: raise --max-semi-space-size');
  return least;
}

/** RFC 6455 §5.7's masked "Hello", as a server receives it. */
const maskedHello = Buffer.from('818537fa213d7f9f4d5158', 'hex');
const payload = Buffer.alloc(32, 7);

const rows: Array<[string, number]> = [];
{
  let delivered = 0;
  const decoder = createDecoderCore({ role: 'server' }, { accept: () => delivered++ });
  // The decoder unmasks in place: each pass gets fresh frames, made outside the count.
  let frames: Buffer[] = [];
  const fresh = (): void => {
    frames = Array.from({ length: FRAMES }, () => Buffer.from(maskedHello));
  };
  rows.push(['decode: server, masked 5-byte text frame', await perFrame((i) => decoder.accept(frames[i]!), fresh)]);
  if (delivered === 0) throw new Error('nothing decoded');
}
{
  let bytes = 0;
  const encoder = createEncoderCore({ role: 'server' }, { accept: (chunk) => (bytes += chunk.length) });
  rows.push(['encode: server, 32-byte binary message', await perFrame(() => encoder.accept({ type: 'binary', data: payload }))]);
}
{
  let bytes = 0;
  const encoder = createEncoderCore({ role: 'client' }, { accept: (chunk) => (bytes += chunk.length) });
  rows.push(['encode: client (masked), 32-byte binary message', await perFrame(() => encoder.accept({ type: 'binary', data: payload }))]);
}
console.log('| path | heap bytes allocated per frame |\n|---|---|');
for (const [name, bytes] of rows) console.log(`| ${name} | ${bytes.toFixed(0)} |`);
